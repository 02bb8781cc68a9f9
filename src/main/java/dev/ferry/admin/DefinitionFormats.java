package dev.ferry.admin;

import dev.ferry.config.StrictJson;
import dev.ferry.core.DefinitionException;
import org.springframework.http.MediaType;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** Definition files in JSON or YAML: the same shape, chosen by media type. */
final class DefinitionFormats {

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

    static DefinitionSet read(String text, boolean yaml) {
        ObjectMapper mapper = yaml ? YAML_MAPPER : JSON;
        try {
            DefinitionSet set = mapper.readValue(text, DefinitionSet.class);
            if (set == null) {
                throw new DefinitionException.Invalid("issuers", "the file is empty");
            }
            return set;
        } catch (JacksonException e) {
            String at = e.getPath().isEmpty() ? "" : " at " + path(e);
            throw new DefinitionException.Invalid(
                    e.getPath().isEmpty() ? "body" : path(e),
                    "the file is not a valid definition set" + at + ": " + reason(e, yaml));
        }
    }

    /** Why {@code e} refused the file, in words of the file, not of Jackson or Ferry's classes. */
    static String reason(JacksonException e, boolean yaml) {
        if (e instanceof UnrecognizedPropertyException unknown) {
            return "'" + unknown.getPropertyName() + "' is not a known field";
        }
        if (e instanceof MismatchedInputException) {
            return "a value of the wrong type or form (an object, a list, a string, a number or a boolean where another is expected)";
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
