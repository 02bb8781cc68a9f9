package dev.ferry.exchange;

import static org.springframework.security.oauth2.core.OAuth2ErrorCodes.INVALID_REQUEST;
import static org.springframework.security.oauth2.core.OAuth2ErrorCodes.UNSUPPORTED_GRANT_TYPE;

import dev.ferry.dpop.DpopProofVerifier;
import dev.ferry.policy.Decision;
import dev.ferry.web.CallerText;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.security.oauth2.core.endpoint.OAuth2ParameterNames;
import org.springframework.security.web.firewall.RequestRejectedException;

/**
 * Turns {@code POST /token} into a {@link TokenExchangeRequest}, checking each RFC 8693 §2.1
 * parameter in its own block, as spring-authorization-server's converters do. Strict as RFC 8725
 * asks: form body only, no repeated parameter, exactly one target.
 */
final class TokenExchangeRequestParser {

    static final String GRANT_TYPE = "urn:ietf:params:oauth:grant-type:token-exchange";
    static final String ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token";
    static final String JWT_TYPE = "urn:ietf:params:oauth:token-type:jwt";
    static final String ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";

    /** RFC 8693 §2.1 allows several of these; Ferry takes one target in total, and more is invalid_target (docs/architecture.md, 1. Parse). */
    private static final Set<String> TARGET_PARAMETERS =
            Set.of(OAuth2ParameterNames.AUDIENCE, OAuth2ParameterNames.RESOURCE);

    private TokenExchangeRequestParser() {}

    static TokenExchangeRequest parse(HttpServletRequest request) {
        Map<String, String[]> parameters = formParameters(request);
        String grantType = single(parameters, OAuth2ParameterNames.GRANT_TYPE);
        if (grantType == null) {
            throw ExchangeError.badRequest(INVALID_REQUEST, "grant_type is required");
        }
        if (!GRANT_TYPE.equals(grantType)) {
            throw ExchangeError.badRequest(UNSUPPORTED_GRANT_TYPE, "grant_type must be " + GRANT_TYPE);
        }
        String subjectToken = single(parameters, OAuth2ParameterNames.SUBJECT_TOKEN);
        if (subjectToken == null || subjectToken.isEmpty()) {
            throw ExchangeError.badRequest(INVALID_REQUEST, "subject_token is required: the CI job's OIDC ID token");
        }
        String subjectTokenType = single(parameters, OAuth2ParameterNames.SUBJECT_TOKEN_TYPE);
        if (!ID_TOKEN_TYPE.equals(subjectTokenType) && !JWT_TYPE.equals(subjectTokenType)) {
            throw ExchangeError.badRequest(
                    INVALID_REQUEST, "subject_token_type must be " + ID_TOKEN_TYPE + " or " + JWT_TYPE);
        }
        if (parameters.containsKey(OAuth2ParameterNames.ACTOR_TOKEN)
                || parameters.containsKey(OAuth2ParameterNames.ACTOR_TOKEN_TYPE)) {
            throw ExchangeError.badRequest(
                    INVALID_REQUEST,
                    "actor_token and actor_token_type (delegation) are not supported; send only the subject_token");
        }
        return new TokenExchangeRequest(
                subjectToken,
                subjectTokenType,
                target(parameters),
                scopes(parameters),
                requestedTokenType(parameters),
                Collections.list(request.getHeaders(DpopProofVerifier.HEADER)));
    }

    private static Map<String, String[]> formParameters(HttpServletRequest request) {
        if (!isForm(request.getContentType())) {
            throw ExchangeError.badRequest(INVALID_REQUEST, "send the parameters as application/x-www-form-urlencoded");
        }
        if (request.getQueryString() != null) {
            throw ExchangeError.badRequest(
                    INVALID_REQUEST, "send the parameters in the form body, not in the query string");
        }
        Map<String, String[]> parameters;
        try {
            parameters = request.getParameterMap();
        } catch (IllegalStateException e) {
            throw ExchangeError.badRequest(INVALID_REQUEST, "the form body is malformed or too large");
        } catch (RequestRejectedException e) {
            // Spring Security's firewall: a parameter name with control characters, say. Not its
            // message: that quotes the name.
            throw ExchangeError.badRequest(
                    INVALID_REQUEST,
                    "the form body has a parameter name with control characters or other characters Ferry refuses");
        }
        parameters.forEach((name, values) -> {
            if (values.length > 1 && !TARGET_PARAMETERS.contains(name)) {
                throw ExchangeError.badRequest(INVALID_REQUEST, "parameter " + CallerText.shown(name) + " is repeated");
            }
        });
        return parameters;
    }

    private static boolean isForm(String contentType) {
        try {
            return contentType != null
                    && MediaType.APPLICATION_FORM_URLENCODED.includes(MediaType.parseMediaType(contentType));
        } catch (InvalidMediaTypeException e) {
            return false;
        }
    }

    private static String target(Map<String, String[]> parameters) {
        List<String> targets = new ArrayList<>();
        String[] audiences = parameters.getOrDefault(OAuth2ParameterNames.AUDIENCE, new String[0]);
        String[] resources = parameters.getOrDefault(OAuth2ParameterNames.RESOURCE, new String[0]);
        targets.addAll(List.of(audiences));
        targets.addAll(List.of(resources));
        if (targets.isEmpty()) {
            throw ExchangeError.badRequest(
                    INVALID_REQUEST, "name the target: exactly one audience or resource parameter");
        }
        if (targets.size() > 1) {
            throw ExchangeError.badRequest(
                    Decision.INVALID_TARGET, "name exactly one target: one audience or one resource, not several");
        }
        String target = targets.get(0);
        if (target.isEmpty() || target.length() > 2048 || CallerText.hasControlCharacter(target)) {
            throw ExchangeError.badRequest(
                    INVALID_REQUEST, "the target must be 1 to 2048 characters, none of them control characters");
        }
        if (resources.length == 1) {
            requireAbsoluteUri(target);
        }
        return target;
    }

    /** RFC 8707 §2: a resource is an absolute URI without a fragment. */
    private static void requireAbsoluteUri(String resource) {
        try {
            URI uri = new URI(resource);
            if (uri.isAbsolute() && uri.getRawFragment() == null) {
                return;
            }
        } catch (URISyntaxException e) {
            // answered below
        }
        throw ExchangeError.badRequest(Decision.INVALID_TARGET, "resource must be an absolute URI without a fragment");
    }

    private static List<String> scopes(Map<String, String[]> parameters) {
        String scope = single(parameters, OAuth2ParameterNames.SCOPE);
        return scope == null ? null : scopes(scope);
    }

    /** RFC 6749 §3.3: scope = scope-token *( SP scope-token ). */
    static List<String> scopes(String scope) {
        List<String> scopes = List.of(scope.split(" ", -1));
        for (String token : scopes) {
            if (token.isEmpty()
                    || !token.chars()
                            .allMatch(c -> c == 0x21 || (c >= 0x23 && c <= 0x5B) || (c >= 0x5D && c <= 0x7E))) {
                throw ExchangeError.badRequest(
                        INVALID_REQUEST,
                        "scope must be scope tokens separated by single spaces (RFC 6749 section 3.3)");
            }
        }
        return scopes;
    }

    private static String requestedTokenType(Map<String, String[]> parameters) {
        String requested = single(parameters, OAuth2ParameterNames.REQUESTED_TOKEN_TYPE);
        if (requested == null) {
            return ACCESS_TOKEN_TYPE;
        }
        if (!ACCESS_TOKEN_TYPE.equals(requested) && !JWT_TYPE.equals(requested)) {
            throw ExchangeError.badRequest(
                    INVALID_REQUEST, "requested_token_type must be " + ACCESS_TOKEN_TYPE + " or " + JWT_TYPE);
        }
        return requested;
    }

    private static String single(Map<String, String[]> parameters, String name) {
        String[] values = parameters.get(name);
        return values == null ? null : values[0];
    }
}
