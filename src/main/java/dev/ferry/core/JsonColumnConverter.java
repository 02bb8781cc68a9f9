package dev.ferry.core;

import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;
import java.util.List;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Stores a structured attribute as JSON text, which H2 and PostgreSQL read alike.
 *
 * @param <T> the attribute's Java type
 */
public abstract class JsonColumnConverter<T> implements AttributeConverter<T, String> {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private final TypeReference<T> type;

    protected JsonColumnConverter(TypeReference<T> type) {
        this.type = type;
    }

    @Override
    public String convertToDatabaseColumn(T attribute) {
        return attribute == null ? null : MAPPER.writeValueAsString(attribute);
    }

    @Override
    public T convertToEntityAttribute(String column) {
        return column == null ? null : MAPPER.readValue(column, type);
    }

    /** A list of strings as a JSON array. */
    @Converter
    public static class StringList extends JsonColumnConverter<List<String>> {
        public StringList() {
            super(new TypeReference<>() {});
        }
    }
}
