package org.sparkdnn.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * No Kubernetes here: the manifests and the documented submit command are checked against the image instead — every
 * path the command names is one the Dockerfile puts there, the service account and container names agree, and the
 * executor asks for a GPU.
 */
class KubernetesManifestsTest {
    private static final Path DOCKER = Path.of("..", "docker").toAbsolutePath().normalize();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static List<JsonNode> documents(String file) throws Exception {
        List<JsonNode> docs = new ArrayList<>();
        try (var parser = YAML.getFactory().createParser(DOCKER.resolve("k8s").resolve(file).toFile())) {
            YAML.readValues(parser, JsonNode.class).forEachRemaining(docs::add);
        }
        return docs;
    }

    /** Image paths the Dockerfile creates: COPY destinations (files and directories). */
    private static List<String> imagePaths() throws Exception {
        List<String> paths = new ArrayList<>();
        for (String line : Files.readAllLines(DOCKER.resolve("Dockerfile"))) {
            if (line.startsWith("COPY ")) {
                String[] parts = line.trim().split("\\s+");
                paths.add(parts[parts.length - 1]);
            }
        }
        return paths;
    }

    private static boolean inImage(String path) throws Exception {
        for (String p : imagePaths()) {
            if (path.equals(p) || (p.endsWith("/") && path.startsWith(p))) {
                return true;
            }
        }
        return false;
    }

    @Test
    void theServiceAccountMayManageExecutorPodsAndTheDriverUsesIt() throws Exception {
        List<JsonNode> rbac = documents("rbac.yaml");
        assertEquals(List.of("ServiceAccount", "Role", "RoleBinding"),
                rbac.stream().map(d -> d.get("kind").asText()).toList());
        String account = rbac.get(0).at("/metadata/name").asText();
        JsonNode rule = rbac.get(1).at("/rules/0");
        for (String verb : List.of("create", "get", "list", "watch", "delete")) {
            assertTrue(rule.get("verbs").toString().contains("\"" + verb + "\""), verb);
        }
        assertTrue(rule.get("resources").toString().contains("\"pods\""));
        assertEquals(account, rbac.get(2).at("/subjects/0/name").asText());
        assertEquals(rbac.get(1).at("/metadata/name").asText(), rbac.get(2).at("/roleRef/name").asText());
        JsonNode driver = documents("driver-pod-template.yaml").get(0);
        assertEquals(account, driver.at("/spec/serviceAccountName").asText());
        assertEquals("spark-kubernetes-driver", driver.at("/spec/containers/0/name").asText());
    }

    @Test
    void executorsAskForOneGpuEach() throws Exception {
        JsonNode executor = documents("executor-pod-template.yaml").get(0);
        assertEquals("Pod", executor.get("kind").asText());
        assertEquals("spark-kubernetes-executor", executor.at("/spec/containers/0/name").asText());
        assertEquals(1, executor.at("/spec/containers/0/resources/limits").get("nvidia.com/gpu").asInt());
    }

    @Test
    void theSubmitCommandNamesOnlyPathsTheImageHasAndTheRbacAccount() throws Exception {
        String readme = Files.readString(DOCKER.resolve("k8s/README.md"));
        Matcher conf = Pattern.compile("--conf (spark\\.[\\w.]+)=(\\S+)").matcher(readme);
        java.util.Map<String, String> settings = new java.util.LinkedHashMap<>();
        while (conf.find()) {
            settings.put(conf.group(1), conf.group(2));
        }
        for (String key : List.of("spark.kubernetes.driver.podTemplateFile", "spark.kubernetes.executor.podTemplateFile",
                "spark.executor.resource.gpu.discoveryScript")) {
            String path = settings.get(key);
            assertTrue(path != null && inImage(path), key + " = " + path + " is not in the image " + imagePaths());
            String local = path.replace("/opt/sparkdnn/docker/", "");
            assertTrue(Files.exists(DOCKER.resolve(local)), path + " has no source file docker/" + local);
        }
        assertEquals(documents("rbac.yaml").get(0).at("/metadata/name").asText(),
                settings.get("spark.kubernetes.authenticate.driver.serviceAccountName"));
        assertEquals(settings.get("spark.executor.resource.gpu.amount"), settings.get("spark.task.resource.gpu.amount"),
                "one task per GPU");
        assertTrue(readme.contains("submit \\") && readme.contains(" train --config "), "the image's submit role");
        String entrypoint = Files.readString(DOCKER.resolve("entrypoint.sh"));
        assertTrue(entrypoint.contains("local://$jar") && inImage("/opt/sparkdnn/driver/target/trainer.jar"),
                "the jar is passed as local:// and is where the image has it");
        assertTrue(entrypoint.contains("KubernetesExecutorBackend") && entrypoint.contains("driver)"),
                "the executor and driver pod roles");
        assertTrue(Files.isExecutable(DOCKER.resolve("gpu-discovery.sh")));
    }

    /**
     * Strict: every manifest reads into fabric8's Kubernetes model classes (the ones Spark's Kubernetes client uses),
     * and no field lands in a model's "additional properties" — a misspelt key, which the API server would ignore.
     * (scripts/k8s-validate checks types and required fields against Kubernetes' OpenAPI schemas.)
     */
    @Test
    void everyFieldOfEveryManifestIsOneKubernetesKnows() throws Exception {
        for (String file : List.of("driver-pod-template.yaml", "executor-pod-template.yaml", "rbac.yaml")) {
            for (JsonNode doc : documents(file)) {
                assertEquals(List.of(), unknownFields(doc), file + ": " + doc.get("kind"));
            }
        }
        JsonNode typo = YAML.readTree("apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: c\n"
                + "      imagePullPolicyy: Always\n      resources: {limits: {nvidia.com/gpu: 1}}\n");
        assertEquals(List.of("Pod.spec.containers[0].imagePullPolicyy"), unknownFields(typo));
    }

    private static List<String> unknownFields(JsonNode doc) throws Exception {
        String kind = doc.get("kind").asText();
        Class<?> type = switch (kind) {
            case "Pod" -> io.fabric8.kubernetes.api.model.Pod.class;
            case "ServiceAccount" -> io.fabric8.kubernetes.api.model.ServiceAccount.class;
            case "Role" -> io.fabric8.kubernetes.api.model.rbac.Role.class;
            case "RoleBinding" -> io.fabric8.kubernetes.api.model.rbac.RoleBinding.class;
            default -> throw new AssertionError("no model for kind " + kind);
        };
        List<String> unknown = new ArrayList<>();
        collectUnknown(YAML.treeToValue(doc, type), kind, unknown);
        return unknown;
    }

    /** Walks a fabric8 model: the keys of every non-empty additionalProperties map are fields the model lacks. */
    private static void collectUnknown(Object model, String path, List<String> unknown) throws Exception {
        if (model instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                collectUnknown(list.get(i), path + "[" + i + "]", unknown);
            }
            return;
        }
        if (model instanceof java.util.Map<?, ?> map) {
            for (var e : map.entrySet()) {
                collectUnknown(e.getValue(), path + "." + e.getKey(), unknown);
            }
            return;
        }
        if (model == null || !model.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (java.lang.reflect.Method getter : model.getClass().getMethods()) {
            String name = getter.getName();
            if (getter.getParameterCount() != 0 || !name.startsWith("get") || name.equals("getClass")) {
                continue;
            }
            Object value = getter.invoke(model);
            if (name.equals("getAdditionalProperties")) {
                ((java.util.Map<?, ?>) value).keySet().forEach(k -> unknown.add(path + "." + k));
            } else {
                String field = Character.toLowerCase(name.charAt(3)) + name.substring(4);
                collectUnknown(value, path + "." + field, unknown);
            }
        }
    }

    /** The discovery script prints Spark's ResourceInformation JSON (no GPU here: no addresses). */
    @Test
    void theGpuDiscoveryScriptPrintsSparkResourceJson() throws Exception {
        Process p = new ProcessBuilder("bash", DOCKER.resolve("gpu-discovery.sh").toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        assertEquals(0, p.waitFor());
        JsonNode json = new ObjectMapper().readTree(out);
        assertEquals("gpu", json.get("name").asText());
        assertTrue(json.get("addresses").isArray(), out);
    }
}
