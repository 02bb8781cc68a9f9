package dev.ferry.admin;

import dev.ferry.config.StrictJson;
import dev.ferry.core.DefinitionException;
import dev.ferry.federation.IssuerDefinition;
import dev.ferry.policy.RuleDefinition;
import java.io.InputStream;
import java.util.List;
import org.springframework.http.MediaType;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Definition files in JSON or YAML: the same shape, chosen by media type. A file is read as a stream
 * ({@link #read(InputStream, boolean, Reader)}), rule by rule, so an import of 100,000 rules never
 * holds them all in memory.
 */
final class DefinitionFormats {

    /** What a streamed file hands over, in the file's order. */
    interface Reader {
        /** The file's {@code issuers} list, whole (a handful of entries). */
        void issuers(List<IssuerDefinition> issuers);

        /** The {@code index}-th entry of the file's {@code rules} list; null for a JSON null. */
        void rule(int index, RuleDefinition rule);
    }

    private static final TypeReference<List<IssuerDefinition>> ISSUERS = new TypeReference<>() {};

    static final MediaType YAML = MediaType.parseMediaType("application/yaml");

    private static final JsonMapper JSON = StrictJson.strict(JsonMapper.builder())
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();
    private static final YAMLMapper YAML_MAPPER =
            StrictJson.strict(YAMLMapper.builder()).build();

    private DefinitionFormats() {}

    static boolean isYaml(String mediaType) {
        return mediaType != null && (mediaType.contains("yaml") || mediaType.contains("yml"));
    }

    static String write(DefinitionSet set, boolean yaml) {
        return (yaml ? YAML_MAPPER : JSON).writeValueAsString(set);
    }

    /**
     * Reads a definitions file from {@code in}, handing its issuers and then each rule to {@code reader}
     * as it is read; only one rule is in memory at a time. The file is refused at the first fault, naming
     * the field in the file's terms: what was handed over before is the caller's to roll back.
     */
    static void read(InputStream in, boolean yaml, Reader reader) {
        ObjectMapper mapper = yaml ? YAML_MAPPER : JSON;
        // Each entry is read from the middle of the file: what follows it is the rest of the file.
        ObjectReader issuersReader = mapper.readerFor(ISSUERS).without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        ObjectReader ruleReader =
                mapper.readerFor(RuleDefinition.class).without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        String at = "";
        try (JsonParser parser = mapper.createParser(in)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw new DefinitionException.Invalid("issuers", "the file is empty");
            }
            if (first != JsonToken.START_OBJECT) {
                throw new DefinitionException.Invalid("body", "the file is not a valid definition set: " + WRONG_TYPE);
            }
            while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
                String member = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (member) {
                    case "issuers" -> {
                        at = "issuers";
                        List<IssuerDefinition> issuers =
                                value == JsonToken.VALUE_NULL ? List.of() : issuersReader.readValue(parser);
                        reader.issuers(issuers);
                    }
                    case "rules" -> {
                        if (value == JsonToken.VALUE_NULL) {
                            continue;
                        }
                        if (value != JsonToken.START_ARRAY) {
                            throw new DefinitionException.Invalid(
                                    "rules", "the file is not a valid definition set at rules: " + WRONG_TYPE);
                        }
                        int index = 0;
                        while (parser.nextToken() != JsonToken.END_ARRAY) {
                            at = "rules[" + index + "]";
                            RuleDefinition rule = parser.currentToken() == JsonToken.VALUE_NULL
                                    ? null
                                    : ruleReader.<RuleDefinition>readValue(parser);
                            reader.rule(index++, rule);
                        }
                    }
                    default ->
                        throw new DefinitionException.Invalid(
                                member,
                                "the file is not a valid definition set at " + member + ": '" + member
                                        + "' is not a known field");
                }
                at = "";
            }
            if (parser.nextToken() != null) {
                throw new DefinitionException.Invalid(
                        "body", "the file is not a valid definition set: " + trailing(yaml, parser));
            }
        } catch (JacksonException e) {
            String path = join(at, e.getPath().isEmpty() ? "" : path(e));
            throw new DefinitionException.Invalid(
                    path.isEmpty() ? "body" : path,
                    "the file is not a valid definition set" + (path.isEmpty() ? "" : " at " + path) + ": "
                            + reason(e, yaml));
        }
    }

    private static final String WRONG_TYPE =
            "a value of the wrong type or form (an object, a list, a string, a number or a boolean where another is expected)";

    /** Something follows the definition set's object. */
    private static String trailing(boolean yaml, JsonParser parser) {
        var location = parser.currentLocation();
        return "not valid " + (yaml ? "YAML" : "JSON") + " (line " + location.getLineNr() + ", column "
                + location.getColumnNr() + ")";
    }

    /** {@code rules[3]} and {@code conditions[0].value}: {@code rules[3].conditions[0].value}. */
    private static String join(String outer, String inner) {
        if (outer.isEmpty() || inner.isEmpty()) {
            return outer + inner;
        }
        return inner.startsWith("[") ? outer + inner : outer + "." + inner;
    }

    /** Why {@code e} refused the file, in words of the file, not of Jackson or Ferry's classes. */
    static String reason(JacksonException e, boolean yaml) {
        if (e instanceof UnrecognizedPropertyException unknown) {
            return "'" + unknown.getPropertyName() + "' is not a known field";
        }
        if (e instanceof MismatchedInputException) {
            return WRONG_TYPE;
        }
        String where = e.getLocation() == null
                ? ""
                : " (line " + e.getLocation().getLineNr() + ", column "
                        + e.getLocation().getColumnNr() + ")";
        if (e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("Duplicate")) {
            return "a member is given twice" + where;
        }
        return "not valid " + (yaml ? "YAML" : "JSON") + where;
    }

    private static String path(JacksonException e) {
        StringBuilder path = new StringBuilder();
        for (JacksonException.Reference ref : e.getPath()) {
            if (ref.getPropertyName() != null) {
                path.append(path.length() == 0 ? "" : ".").append(ref.getPropertyName());
            } else {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.toString();
    }
}
