package org.sparkdnn.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * No Kubernetes here: the manifests and the documented submit command are checked against the image instead — every
 * path the command names is one the Dockerfile puts there, the service account and container names agree, and the
 * executor asks for a GPU — and against the lockdown they promise: Spark authenticated and encrypted with a secret
 * from a Kubernetes Secret, pods not root and without privileges, no token in executors, a Role with only Spark's
 * verbs, a NetworkPolicy with exactly the ports the submit command fixes.
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

    /** The submit command's {@code --conf spark.…=V} and the trainer's {@code --set cluster.…=V}, in order. */
    private static Map<String, String> submitSettings() throws Exception {
        String readme = Files.readString(DOCKER.resolve("k8s/README.md"));
        Matcher setting = Pattern.compile("--(?:conf|set) ((?:spark|cluster)\\.[\\w.]+)=(\\S+)").matcher(readme);
        Map<String, String> settings = new LinkedHashMap<>();
        while (setting.find()) {
            settings.put(setting.group(1), setting.group(2));
        }
        return settings;
    }

    /** A resource's verbs in the Role, sorted; empty when no rule names it. */
    private static Set<String> verbs(JsonNode role, String resource) {
        Set<String> verbs = new TreeSet<>();
        for (JsonNode rule : role.get("rules")) {
            if (rule.get("resources").toString().contains("\"" + resource + "\"")) {
                rule.get("verbs").forEach(v -> verbs.add(v.asText()));
            }
        }
        return verbs;
    }

    @Test
    void theServiceAccountMayManageExecutorPodsAndTheDriverUsesIt() throws Exception {
        List<JsonNode> rbac = documents("rbac.yaml");
        assertEquals(List.of("ServiceAccount", "Role", "RoleBinding"),
                rbac.stream().map(d -> d.get("kind").asText()).toList());
        String account = rbac.get(0).at("/metadata/name").asText();
        assertTrue(verbs(rbac.get(1), "pods").containsAll(List.of("create", "get", "list", "watch", "delete")));
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
        Map<String, String> settings = submitSettings();
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
        for (String file : List.of("driver-pod-template.yaml", "executor-pod-template.yaml", "rbac.yaml",
                "network-policy.yaml")) {
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
            case "NetworkPolicy" -> io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class;
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
        if (model instanceof Map<?, ?> map) {
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
                ((Map<?, ?>) value).keySet().forEach(k -> unknown.add(path + "." + k));
            } else {
                String field = Character.toLowerCase(name.charAt(3)) + name.substring(4);
                collectUnknown(value, path + "." + field, unknown);
            }
        }
    }

    @Test
    void theRoleGrantsOnlyTheVerbsSparksDriverUses() throws Exception {
        JsonNode role = documents("rbac.yaml").get(1);
        assertEquals(new TreeSet<>(List.of("create", "get", "list", "watch", "delete", "deletecollection")),
                verbs(role, "pods"));
        for (String resource : List.of("configmaps", "services")) {
            assertEquals(new TreeSet<>(List.of("create", "get", "list", "delete", "deletecollection")),
                    verbs(role, resource), resource);
        }
        for (JsonNode rule : role.get("rules")) {
            assertEquals("[\"\"]", rule.get("apiGroups").toString(), "core API group only: " + rule);
            for (JsonNode resource : rule.get("resources")) {
                assertTrue(Set.of("pods", "configmaps", "services").contains(resource.asText()),
                        "the Role grants " + resource + ", which Spark's driver does not use");
            }
        }
    }

    @Test
    void everyPodRunsAsSparkWithoutPrivilegesOnAReadOnlyRoot() throws Exception {
        for (String file : List.of("driver-pod-template.yaml", "executor-pod-template.yaml")) {
            JsonNode spec = documents(file).get(0).get("spec");
            assertTrue(spec.at("/securityContext/runAsNonRoot").asBoolean(), file + ": runAsNonRoot");
            assertEquals(185, spec.at("/securityContext/runAsUser").asInt(), file + ": the image's Spark user");
            assertEquals("RuntimeDefault", spec.at("/securityContext/seccompProfile/type").asText(), file);
            JsonNode container = spec.at("/containers/0");
            JsonNode context = container.get("securityContext");
            assertTrue(context != null && context.path("runAsNonRoot").asBoolean(), file + ": container runAsNonRoot");
            assertEquals("false", context.path("allowPrivilegeEscalation").toString(), file);
            assertTrue(context.path("readOnlyRootFilesystem").asBoolean(), file + ": read-only root");
            assertEquals("[\"ALL\"]", context.at("/capabilities/drop").toString(), file + ": capabilities dropped");
            assertTrue(context.at("/capabilities/add").isMissingNode(), file + ": no capability added");
            assertTrue(!context.path("privileged").asBoolean(), file);
            Map<String, JsonNode> volumes = new LinkedHashMap<>();
            spec.get("volumes").forEach(v -> volumes.put(v.get("name").asText(), v));
            for (JsonNode mount : container.get("volumeMounts")) {
                JsonNode volume = volumes.get(mount.get("name").asText());
                boolean writable = !mount.path("readOnly").asBoolean();
                assertTrue(volume != null && (!writable || volume.has("emptyDir")),
                        file + ": " + mount + " is writable but not an emptyDir");
            }
        }
        assertEquals("false", documents("executor-pod-template.yaml").get(0).at("/spec/automountServiceAccountToken")
                .toString(), "executors never talk to the API server: no token");
        assertEquals("false", documents("rbac.yaml").get(0).get("automountServiceAccountToken").toString(),
                "the service account's token only where a pod asks for it");
        assertEquals("true", documents("driver-pod-template.yaml").get(0).at("/spec/automountServiceAccountToken")
                .toString(), "the driver manages its executors through the API");
    }

    @Test
    void sparkIsAuthenticatedAndEncryptedWithTheSecretTheTemplatesMount() throws Exception {
        Map<String, String> settings = submitSettings();
        assertEquals("true", settings.get("spark.authenticate"));
        assertEquals("true", settings.get("spark.network.crypto.enabled"));
        assertTrue(!settings.containsKey("spark.authenticate.secret"), "never the secret itself on a command line");
        String readme = Files.readString(DOCKER.resolve("k8s/README.md"));
        Matcher create = Pattern.compile("kubectl create secret generic (\\S+) .*--from-file=(\\S+)").matcher(readme);
        assertTrue(create.find(), "the README creates the Kubernetes Secret");
        for (String role : List.of("driver", "executor")) {
            JsonNode spec = documents(role + "-pod-template.yaml").get(0).get("spec");
            JsonNode secret = null;
            for (JsonNode volume : spec.get("volumes")) {
                secret = volume.has("secret") ? volume : secret;
            }
            assertTrue(secret != null, role + ": no secret volume");
            assertEquals(create.group(1), secret.at("/secret/secretName").asText(), role);
            assertEquals(create.group(2), secret.at("/secret/items/0/key").asText(), role);
            assertEquals(0440, secret.at("/secret/defaultMode").asInt(), role + ": readable by owner and group only");
            String mountPath = null;
            for (JsonNode mount : spec.at("/containers/0/volumeMounts")) {
                if (mount.get("name").asText().equals(secret.get("name").asText())) {
                    assertTrue(mount.path("readOnly").asBoolean(), role + ": the secret is mounted read-only");
                    mountPath = mount.get("mountPath").asText();
                }
            }
            assertEquals(mountPath + "/" + secret.at("/secret/items/0/path").asText(),
                    settings.get("spark.authenticate.secret." + role + ".file"), role + "'s secret file");
        }
    }

    @Test
    void theNetworkPolicyAdmitsExactlyTheConfiguredPorts() throws Exception {
        Map<String, String> settings = submitSettings();
        String[] peer = settings.get("cluster.peer.ports").split("-");
        Map<String, Set<String>> expected = Map.of(
                "driver", Set.of(settings.get("spark.driver.port"), settings.get("spark.driver.blockManager.port"),
                        settings.get("cluster.psPort")),
                "executor", Set.of(settings.get("spark.blockManager.port"), peer[0] + "-" + peer[peer.length - 1]));
        List<JsonNode> policies = documents("network-policy.yaml");
        Map<String, Set<String>> admitted = new LinkedHashMap<>();
        for (JsonNode policy : policies) {
            assertEquals("NetworkPolicy", policy.get("kind").asText());
            JsonNode spec = policy.get("spec");
            assertEquals("[\"Ingress\"]", spec.get("policyTypes").toString());
            String component = spec.at("/podSelector/matchLabels/app.kubernetes.io~1component").asText();
            assertEquals(documents(component + "-pod-template.yaml").get(0).at("/metadata/labels"),
                    spec.at("/podSelector/matchLabels"), "selects the " + component + " template's pods");
            Set<String> ports = new TreeSet<>();
            for (JsonNode rule : spec.get("ingress")) {
                assertTrue(rule.has("from") && rule.has("ports"), "a rule without sources or ports admits all: " + rule);
                for (JsonNode from : rule.get("from")) {
                    assertEquals("sparkdnn", from.at("/podSelector/matchLabels/app.kubernetes.io~1name").asText(),
                            "only the run's own pods: " + from);
                }
                for (JsonNode port : rule.get("ports")) {
                    assertEquals("TCP", port.get("protocol").asText());
                    ports.add(port.get("port").asText() + (port.has("endPort") ? "-" + port.get("endPort").asText() : ""));
                }
            }
            admitted.put(component, ports);
        }
        assertEquals(expected.keySet(), admitted.keySet(), "one policy for the driver's pods, one for the executors'");
        for (String component : expected.keySet()) {
            assertEquals(new TreeSet<>(expected.get(component)), admitted.get(component),
                    component + ": the policy's ports are exactly the submit command's");
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
