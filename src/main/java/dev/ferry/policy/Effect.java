package dev.ferry.policy;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Whether a matching rule grants targets or refuses the exchange. */
public enum Effect {
    ALLOW,
    DENY;

    @JsonValue
    public String jsonName() {
        return this == ALLOW ? "allow" : "deny";
    }

    @JsonCreator
    public static Effect fromJson(String value) {
        if ("allow".equals(value)) {
            return ALLOW;
        }
        if ("deny".equals(value)) {
            return DENY;
        }
        throw new IllegalArgumentException("effect must be allow or deny");
    }
}
