package dev.ferry.federation;

import static dev.ferry.federation.SubjectTokenRejected.Reason.ENCRYPTED;
import static dev.ferry.federation.SubjectTokenRejected.Reason.MALFORMED;
import static dev.ferry.federation.SubjectTokenRejected.Reason.TOO_LARGE;
import static dev.ferry.federation.SubjectTokenRejected.Reason.UNSECURED;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A subject token's structure, checked strictly before anything else looks at it (RFC 7515 §7.1,
 * RFC 8725 §3): a size cap, exactly three parts, canonical unpadded base64url, JSON objects without
 * duplicate members, a JWS {@code alg} that is not {@code none}.
 */
record CompactJws(String signingInput, String signaturePart, String headerJson, ObjectNode header, ObjectNode payload) {

    /** Integers up to this many bits (below 2^1024) are finite doubles. */
    private static final int MAX_FINITE_BITS = 1023;

    private static final JsonMapper STRICT = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    static CompactJws parse(String token, long maxBytes) throws SubjectTokenRejected {
        if (token.length() > maxBytes) {
            throw new SubjectTokenRejected(TOO_LARGE, "subject_token is larger than " + maxBytes + " bytes");
        }
        String[] parts = token.split("\\.", -1);
        if (parts.length == 5) {
            throw new SubjectTokenRejected(
                    ENCRYPTED, "subject_token is encrypted (JWE); send the signed ID token (JWS)");
        }
        if (parts.length != 3) {
            throw new SubjectTokenRejected(MALFORMED, "subject_token is not a JWT: expected three dot-separated parts");
        }
        String headerJson = text(decode(parts[0], "header"), "header");
        ObjectNode header = object(headerJson, "header");
        JsonNode alg = header.get("alg");
        if (alg == null || !alg.isString()) {
            throw new SubjectTokenRejected(MALFORMED, "subject_token header has no alg");
        }
        if ("none".equalsIgnoreCase(alg.stringValue())) {
            throw new SubjectTokenRejected(
                    UNSECURED, "subject_token is unsecured (alg none); a signed token is required");
        }
        if (header.has("enc")) {
            throw new SubjectTokenRejected(
                    ENCRYPTED, "subject_token is encrypted (JWE); send the signed ID token (JWS)");
        }
        if (parts[2].isEmpty()) {
            throw new SubjectTokenRejected(MALFORMED, "subject_token has no signature");
        }
        decode(parts[2], "signature");
        ObjectNode payload = object(text(decode(parts[1], "payload"), "payload"), "payload");
        if (hasNonFiniteNumber(payload)) {
            throw new SubjectTokenRejected(MALFORMED, "subject_token payload has a number out of range");
        }
        return new CompactJws(parts[0] + "." + parts[1], parts[2], headerJson, header, payload);
    }

    /**
     * Whether a number in {@code node} is beyond what a double holds (1e400, or an integer of 309
     * digits): gateways reading Ferry's token, which may carry the claim, would read it as infinity.
     */
    private static boolean hasNonFiniteNumber(JsonNode node) {
        if (node.isNumber()) {
            if (node.isIntegralNumber()) {
                return node.isBigInteger()
                        && node.bigIntegerValue().bitLength() > MAX_FINITE_BITS; // an int or long always fits
            }
            return !Double.isFinite(node.doubleValue());
        }
        for (JsonNode child : node) {
            if (hasNonFiniteNumber(child)) {
                return true;
            }
        }
        return false;
    }

    /** The bytes of a canonical, unpadded base64url {@code part}. */
    private static byte[] decode(String part, String name) throws SubjectTokenRejected {
        byte[] bytes;
        try {
            if (part.isEmpty() || part.indexOf('=') >= 0) {
                throw new IllegalArgumentException("empty or padded");
            }
            bytes = Base64.getUrlDecoder().decode(part);
        } catch (IllegalArgumentException e) {
            throw malformedBase64(name);
        }
        if (!Base64.getUrlEncoder().withoutPadding().encodeToString(bytes).equals(part)) {
            throw malformedBase64(name);
        }
        return bytes;
    }

    /**
     * {@code bytes} as UTF-8 text, refused when they are not valid UTF-8 (RFC 8259 §8.1): replacing
     * bad bytes with U+FFFD, as {@code new String} would, could make two different subjects one.
     */
    private static String text(byte[] bytes, String name) throws SubjectTokenRejected {
        if (isAscii(bytes)) {
            return new String(bytes, StandardCharsets.US_ASCII); // the usual case, and valid UTF-8 as it is
        }
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new SubjectTokenRejected(MALFORMED, "subject_token " + name + " is not valid UTF-8");
        }
    }

    private static boolean isAscii(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }

    private static SubjectTokenRejected malformedBase64(String name) {
        return new SubjectTokenRejected(MALFORMED, "subject_token " + name + " is not canonical unpadded base64url");
    }

    private static ObjectNode object(String json, String name) throws SubjectTokenRejected {
        ObjectNode object = null;
        try {
            if (STRICT.readTree(json) instanceof ObjectNode node) {
                object = node;
            }
        } catch (JacksonException e) {
            // answered below: the same answer for every kind of bad JSON
        }
        if (object == null) {
            throw new SubjectTokenRejected(
                    MALFORMED, "subject_token " + name + " is not a JSON object without duplicate members");
        }
        // Only an escape (a backslash, u, four hex digits) can spell a lone surrogate: as bytes it is invalid
        // UTF-8, refused above.
        if (json.indexOf("\\u") >= 0 && hasUnpairedSurrogate(object)) {
            throw new SubjectTokenRejected(
                    MALFORMED, "subject_token " + name + " has a string with an unpaired surrogate escape");
        }
        return object;
    }

    /**
     * Whether a member name or string in {@code node} holds a UTF-16 surrogate without its pair (RFC
     * 8259 §8.2): such a string has no UTF-8 form, so it would reach Ferry's token (and the audit log)
     * as {@code ?}, and two different upstream subjects could become one.
     */
    private static boolean hasUnpairedSurrogate(JsonNode node) {
        if (node.isString()) {
            return unpaired(node.stringValue());
        }
        if (node.isObject()) {
            for (var member : node.properties()) {
                if (unpaired(member.getKey()) || hasUnpairedSurrogate(member.getValue())) {
                    return true;
                }
            }
            return false;
        }
        for (JsonNode child : node) {
            if (hasUnpairedSurrogate(child)) {
                return true;
            }
        }
        return false;
    }

    private static boolean unpaired(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }
}
