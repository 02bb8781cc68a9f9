package dev.ferry.federation;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The kind of an issuer. GitHub and GitLab differ only in data: their public issuer URL and the
 * claims worth carrying into Ferry's tokens (as sigstore fulcio expresses them), never in code paths.
 */
public enum IssuerType {
    GITHUB(
            "https://token.actions.githubusercontent.com",
            List.of(
                    "repository",
                    "repository_id",
                    "repository_owner",
                    "repository_owner_id",
                    "ref",
                    "ref_type",
                    "environment",
                    "event_name",
                    "workflow_ref",
                    "job_workflow_ref",
                    "sha",
                    "run_id",
                    "actor")),
    GITLAB(
            "https://gitlab.com",
            List.of(
                    "project_path",
                    "project_id",
                    "namespace_path",
                    "namespace_id",
                    "ref",
                    "ref_type",
                    "ref_protected",
                    "environment",
                    "pipeline_source",
                    "pipeline_id",
                    "job_id",
                    "sha",
                    "user_login")),
    OIDC(null, List.of());

    private final String defaultIssuerUrl;
    private final List<String> carriedClaims;

    IssuerType(String defaultIssuerUrl, List<String> carriedClaims) {
        this.defaultIssuerUrl = defaultIssuerUrl;
        this.carriedClaims = carriedClaims;
    }

    /** The public issuer URL this type stands for, or null when there is none ({@code oidc}). */
    public String defaultIssuerUrl() {
        return defaultIssuerUrl;
    }

    /** The claim mappings a definition of this type gets when it names none: each claim as itself. */
    public Map<String, String> defaultClaimMappings() {
        Map<String, String> mappings = new LinkedHashMap<>();
        carriedClaims.forEach(claim -> mappings.put(claim, claim));
        return mappings;
    }

    @JsonValue
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static IssuerType fromJson(String value) {
        for (IssuerType type : values()) {
            if (type.jsonName().equals(value)) {
                return type;
            }
        }
        throw new IllegalArgumentException("type must be one of github, gitlab, oidc");
    }
}
