package org.sparkdnn.config;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.sparkdnn.io.Storage;

/**
 * Loads a {@link RunConfig} from YAML, applies {@code --set key=value} overrides, and turns every binding or
 * validation failure into a {@link ConfigException} whose message reads {@code <file>: <yaml.path>: <rule>, was
 * <value>}.
 */
public final class ConfigLoader {
    private static final List<Class<? extends Enum<?>>> KEYED = List.of(Activation.class, Loss.class,
            WeightInit.class, OptimizerType.class, ScheduleType.class, DataFormat.class, Scaling.class, Engine.class,
            NumericType.class, LayerType.class, DataPlacement.class, DataRead.class, DataShuffle.class, SearchType.class, SchedulerType.class,
            MetricScope.class, ThresholdAlgorithmType.class,
            ScalingRule.class, Exchange.class, PeerUpdate.class, Padding.class, BadRecords.class, BiasInit.class,
            FrameIntegrity.class);

    private final ObjectMapper yaml = configure(YAMLMapper.builder(new YAMLFactory())
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).build());
    private final ObjectMapper json = configure(JsonMapper.builder().build());

    /** Reads and parses the YAML file at {@code uri} (any Hadoop URI or local path). */
    public RunConfig load(Storage storage, String uri, List<String> overrides) {
        String text;
        try {
            text = storage.readString(uri);
        } catch (IOException e) {
            throw new ConfigException(uri, "cannot read the config file (" + e.getMessage() + ")", uri);
        }
        return parse(uri, text, overrides);
    }

    /** Parses {@code text} (the content of {@code source}, used in messages) with the overrides applied. */
    public RunConfig parse(String source, String text, List<String> overrides) {
        return bind(source, tree(source, text, overrides));
    }

    /**
     * A config this project wrote itself (a run's {@code config.yaml}, a checkpoint manifest's config), perhaps before
     * a key moved: moved keys are read at their new place ({@link ConfigMigration}), then the overrides apply.
     */
    public RunConfig parseWritten(String source, String text, List<String> overrides) {
        ObjectNode migrated = (ObjectNode) ConfigMigration.migrate(tree(source, text, List.of()));
        return bind(source, withOverrides(source, migrated, overrides));
    }

    /** {@link #parseWritten} of the file at {@code uri}. */
    public RunConfig loadWritten(Storage storage, String uri, List<String> overrides) {
        try {
            return parseWritten(uri, storage.readString(uri), overrides);
        } catch (IOException e) {
            throw new ConfigException(uri, "cannot read the config file (" + e.getMessage() + ")", uri);
        }
    }

    /** The YAML mapping in {@code text} with the overrides applied, not yet bound. */
    public ObjectNode tree(String source, String text, List<String> overrides) {
        JsonNode tree;
        try {
            tree = yaml.readTree(text);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : "line " + e.getLocation().getLineNr() + ": ";
            Matcher duplicate = Pattern.compile("Duplicate field '([^']*)'")
                    .matcher(String.valueOf(e.getOriginalMessage()));
            if (duplicate.find()) {
                throw new ConfigException(source + ": " + where + duplicate.group(1), "appears twice in one section "
                        + "(the YAML would silently keep the last one)", "a duplicate key");
            }
            throw new ConfigException(source + ": " + where + "invalid YAML", e.getOriginalMessage(), "unparseable");
        }
        if (tree == null || tree.isMissingNode() || tree.isNull()) {
            tree = JsonNodeFactory.instance.objectNode();
        }
        if (!tree.isObject()) {
            throw new ConfigException(source, "must be a YAML mapping (model:, optimizer:, data:, …)", tree.getNodeType());
        }
        for (String override : overrides) {
            applyOverride(source, (ObjectNode) tree, override);
        }
        return (ObjectNode) tree;
    }

    /** Applies {@code key=value} overrides to a copy of {@code tree}. */
    public ObjectNode withOverrides(String source, ObjectNode tree, List<String> overrides) {
        ObjectNode copy = tree.deepCopy();
        for (String override : overrides) {
            applyOverride(source, copy, override);
        }
        return copy;
    }

    /** Binds a tree to any config record type, with the same error messages as run configs. */
    public <T> T bind(String source, JsonNode tree, Class<T> type) {
        try {
            return yaml.treeToValue(tree, type);
        } catch (JsonProcessingException e) {
            throw translate(source, e);
        }
    }

    /** Binds a JSON/YAML tree (e.g. a resolved config stored in a checkpoint manifest). */
    public RunConfig bind(String source, JsonNode tree) {
        return bind(source, tree, RunConfig.class);
    }

    /** The resolved config as YAML, its secrets redacted ({@link Redaction}): what is written and shown. */
    public String toYaml(RunConfig config) {
        try {
            return yaml.writeValueAsString(toTree(config));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise the resolved config", e);
        }
    }

    /** A config tree (e.g. a checkpoint manifest's) as YAML text. */
    public String yaml(JsonNode tree) {
        try {
            return yaml.writeValueAsString(tree);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a config tree as YAML", e);
        }
    }

    /** The resolved config as a tree, its secrets redacted ({@link Redaction}): what manifests record. */
    public JsonNode toTree(RunConfig config) {
        return Redaction.of(config.cluster().spark()).redact(json.valueToTree(config));
    }

    public ObjectMapper json() {
        return json;
    }

    private void applyOverride(String source, ObjectNode root, String override) {
        int eq = override.indexOf('=');
        if (eq <= 0) {
            throw new ConfigException(source + ": --set", "must be key=value with a dotted key (optimizer.learningRate=0.1)", override);
        }
        String[] keys = override.substring(0, eq).trim().split("\\.");
        JsonNode value;
        try {
            value = yaml.readTree(override.substring(eq + 1));
        } catch (JsonProcessingException e) {
            throw new ConfigException(source + ": --set " + override.substring(0, eq), "value is not valid YAML", override.substring(eq + 1));
        }
        if (value == null || value.isMissingNode()) {
            value = JsonNodeFactory.instance.nullNode();
        }
        JsonNode node = root;
        for (int i = 0; i < keys.length - 1; i++) {
            node = child(node, keys[i], keys[i + 1], source, override);
        }
        set(node, keys[keys.length - 1], value, source, override);
    }

    private static JsonNode child(JsonNode node, String key, String nextKey, String source, String override) {
        JsonNode next = node.isArray() ? node.get(index(key, node, source, override)) : node.get(key);
        if (next == null || next.isNull()) {
            next = isIndex(nextKey) ? JsonNodeFactory.instance.arrayNode() : JsonNodeFactory.instance.objectNode();
            set(node, key, next, source, override); // in a list: appends at index size(), as for a value
        }
        if (!next.isContainerNode()) {
            throw new ConfigException(source + ": --set", "'" + key + "' is a value, not a section", override);
        }
        return next;
    }

    private static void set(JsonNode node, String key, JsonNode value, String source, String override) {
        if (node.isObject()) {
            ((ObjectNode) node).set(key, value);
            return;
        }
        ArrayNode array = (ArrayNode) node;
        int i = index(key, node, source, override);
        if (i == array.size()) {
            array.add(value);
        } else {
            array.set(i, value);
        }
    }

    private static boolean isIndex(String key) {
        return key.chars().allMatch(Character::isDigit) && !key.isEmpty();
    }

    private static int index(String key, JsonNode array, String source, String override) {
        if (!isIndex(key) || Integer.parseInt(key) > array.size()) {
            throw new ConfigException(source + ": --set", "list index must be 0.." + array.size(), override);
        }
        return Integer.parseInt(key);
    }

    private static ConfigException translate(String source, JsonProcessingException e) {
        String path = e instanceof JsonMappingException ? path((JsonMappingException) e) : "";
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConfigException) {
                return prefixed(source, ((ConfigException) t).under(path));
            }
        }
        if (e instanceof UnrecognizedPropertyException) {
            UnrecognizedPropertyException u = (UnrecognizedPropertyException) e;
            String known = u.getKnownPropertyIds() == null ? "" : u.getKnownPropertyIds().stream()
                    .map(String::valueOf).sorted().collect(Collectors.joining(", ", " (known: ", ")"));
            Optional<String> moved = ConfigMigration.movedTo(path);
            if (moved.isPresent()) {
                return prefixed(source, new ConfigException(path, "moved to " + moved.get() + " (write it there)",
                        u.getPropertyName()));
            }
            return prefixed(source, new ConfigException(path, "unknown key" + known, u.getPropertyName()));
        }
        if (e instanceof InvalidFormatException) {
            InvalidFormatException f = (InvalidFormatException) e;
            return prefixed(source, new ConfigException(path, "must be " + describe(f.getTargetType()), f.getValue()));
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InputCoercionException) {
                Matcher m = Pattern.compile("Numeric value \\(([^)]*)\\)")
                        .matcher(String.valueOf(t.getMessage()));
                return prefixed(source, new ConfigException(path, "must be an integer within range",
                        m.find() ? m.group(1) : "out of range"));
            }
        }
        if (e instanceof MismatchedInputException) {
            MismatchedInputException m = (MismatchedInputException) e;
            return prefixed(source, new ConfigException(path, "must be " + describe(m.getTargetType()), tokenText(m)));
        }
        return prefixed(source, new ConfigException(path, "invalid: " + e.getOriginalMessage(), "?"));
    }

    private static ConfigException prefixed(String source, ConfigException e) {
        return new ConfigException(source + ": " + e.path(), e.rule(), e.value());
    }

    private static String tokenText(MismatchedInputException e) {
        try {
            if (e.getProcessor() instanceof JsonParser) {
                JsonParser p = (JsonParser) e.getProcessor();
                return p.currentToken() != null && p.currentToken().isScalarValue() ? p.getText() : "a " + describeToken(p);
            }
        } catch (IOException ignored) {
            // fall through to the generic description below
        }
        return "a value of another type";
    }

    private static String describeToken(JsonParser p) {
        return p.currentToken() == null ? "missing value" : p.currentToken().isStructStart() ? "section or list" : "value";
    }

    private static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                sb.append(sb.length() == 0 ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    private static String describe(Class<?> type) {
        if (type == null) {
            return "a valid value";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "an integer";
        }
        if (type == Double.class || type == double.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string";
        }
        if (List.class.isAssignableFrom(type)) {
            return "a list";
        }
        return "a section of key: value pairs";
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static ObjectMapper configure(ObjectMapper mapper) {
        SimpleModule keyed = new SimpleModule("keyed-enums");
        for (Class<? extends Enum<?>> type : KEYED) {
            keyed.addDeserializer((Class) type, new KeyedDeserializer(type));
        }
        keyed.addSerializer(Keyed.class, new KeyedSerializer());
        mapper.getFactory().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        return mapper.registerModule(keyed)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    private static final class KeyedDeserializer<E extends Enum<E> & Keyed> extends JsonDeserializer<E> {
        private final Class<E> type;

        KeyedDeserializer(Class<E> type) {
            this.type = type;
        }

        @Override
        public E deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (!p.currentToken().isScalarValue()) {
                throw new ConfigException("", "must be one of " + Arrays.stream(type.getEnumConstants())
                        .map(Keyed::key).collect(Collectors.toList()), "a section or list");
            }
            return Keyed.parse(type, p.getText());
        }
    }

    private static final class KeyedSerializer extends StdSerializer<Keyed> {
        KeyedSerializer() {
            super(Keyed.class);
        }

        @Override
        public void serialize(Keyed value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeString(value.key());
        }
    }
}
