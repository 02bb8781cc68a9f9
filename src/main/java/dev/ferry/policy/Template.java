package dev.ferry.policy;

import dev.ferry.core.ClaimPath;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * A rule's target or scope with placeholders (docs/rules.md, Templated targets and scopes), parsed
 * once when the rule is compiled: literal parts and the claims between them.
 *
 * <p>Syntax: {@code ${claim}} is replaced by the claim's value, which may hold only the safe set
 * {@code A-Z a-z 0-9 - _ .} (never {@code ..}, never just {@code .}); {@code ${claim:path}} also allows
 * {@code /} between non-empty segments. {@code $$} stands for a literal {@code $}, so {@code $${x}} is
 * the literal text {@code ${x}}. A {@code $} not followed by {@code $} or <code>{</code> is literal.
 *
 * <p>A placeholder substitutes only a claim that is present and is a single non-empty string, or a
 * number (its JSON text); anything else, or a value outside the safe set, leaves the whole template
 * unsubstituted and so not granted. No parser generator and no regex: a single pass over the text.
 */
final class Template {

    static final int MAX_VALUE_LENGTH = 256;

    /** One part: literal text, or a placeholder. */
    record Part(String literal, String claim, boolean path) {
        boolean placeholder() {
            return claim != null;
        }
    }

    private final String source;
    private final List<Part> parts;

    private Template(String source, List<Part> parts) {
        this.source = source;
        this.parts = parts;
    }

    /** A template that fails to parse: the reason, for the validator. */
    static final class SyntaxError extends IllegalArgumentException {
        SyntaxError(String message) {
            super(message);
        }
    }

    /**
     * Parses {@code text}.
     *
     * @throws SyntaxError an unclosed or empty placeholder, or an unknown modifier
     */
    static Template parse(String text) {
        List<Part> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char ch = text.charAt(i);
            if (ch == '$' && i + 1 < text.length() && text.charAt(i + 1) == '$') {
                literal.append('$');
                i += 2;
            } else if (ch == '$' && i + 1 < text.length() && text.charAt(i + 1) == '{') {
                int end = text.indexOf('}', i + 2);
                if (end < 0) {
                    throw new SyntaxError(
                            "'${' at position " + i + " is not closed by '}' (write '$${' for a literal '${')");
                }
                if (!literal.isEmpty()) {
                    parts.add(new Part(literal.toString(), null, false));
                    literal.setLength(0);
                }
                parts.add(placeholder(text.substring(i + 2, end)));
                i = end + 1;
            } else {
                literal.append(ch);
                i++;
            }
        }
        if (!literal.isEmpty()) {
            parts.add(new Part(literal.toString(), null, false));
        }
        return new Template(text, List.copyOf(parts));
    }

    private static Part placeholder(String inside) {
        String claim = inside;
        boolean path = false;
        int colon = inside.lastIndexOf(':');
        if (colon >= 0) {
            String modifier = inside.substring(colon + 1);
            if (!modifier.equals("path")) {
                throw new SyntaxError("placeholder '${" + inside + "}' has an unknown modifier '" + modifier
                        + "' (the only one is ':path', which lets the value hold '/')");
            }
            claim = inside.substring(0, colon);
            path = true;
        }
        if (claim.isEmpty() || claim.chars().anyMatch(c -> c <= 0x20 || c == '$' || c == '{' || c == 0x7f)) {
            throw new SyntaxError("placeholder '${" + inside + "}' must name a claim: a claim name or dotted path");
        }
        return new Part(null, claim, path);
    }

    /** The text as one literal part, for a text stored before templates existed that does not parse as one. */
    static Template literalOf(String text) {
        return new Template(text, List.of(new Part(text, null, false)));
    }

    String source() {
        return source;
    }

    List<Part> parts() {
        return parts;
    }

    /** Whether the text has a placeholder at all; one without is a plain literal (after unescaping). */
    boolean templated() {
        return parts.stream().anyMatch(Part::placeholder);
    }

    /** The text before the first placeholder: every substitution starts with it. */
    String literalPrefix() {
        StringBuilder prefix = new StringBuilder();
        for (Part part : parts) {
            if (part.placeholder()) {
                break;
            }
            prefix.append(part.literal());
        }
        return prefix.toString();
    }

    /** The text itself, for a template without placeholders ({@code $$} unescaped). */
    String literal() {
        return literalPrefix();
    }

    /** The claims the template names, in order. */
    List<String> claims() {
        return parts.stream().filter(Part::placeholder).map(Part::claim).toList();
    }

    /**
     * The template with each placeholder replaced by the claim's value, or why it cannot be.
     *
     * @param kind {@code target} or {@code scope}, for the explanation
     * @param claims the verified subject token's claims
     */
    TemplateResult substitute(String kind, JsonNode claims) {
        StringBuilder out = new StringBuilder();
        Map<String, String> used = new LinkedHashMap<>();
        for (Part part : parts) {
            if (!part.placeholder()) {
                out.append(part.literal());
                continue;
            }
            JsonNode node = ClaimPath.resolve(claims, part.claim());
            String value = node.isString() ? node.stringValue() : node.isNumber() ? node.toString() : null;
            if (value != null) {
                used.put(part.claim(), value);
            }
            String unsafe = unsafe(node, value, part.path());
            if (unsafe != null) {
                return new TemplateResult(kind, source, used, null, "claim '" + part.claim() + "' " + unsafe);
            }
            out.append(value);
        }
        return new TemplateResult(kind, source, used, out.toString(), null);
    }

    /** Why a claim's value may not be substituted, or null when it may. Never echoes the value. */
    static String unsafe(JsonNode node, String value, boolean path) {
        if (node.isMissingNode() || node.isNull()) {
            return "is absent";
        }
        if (value == null) {
            return "is not a single string or number";
        }
        if (value.isEmpty()) {
            return "is empty";
        }
        if (value.length() > MAX_VALUE_LENGTH) {
            return "is longer than " + MAX_VALUE_LENGTH + " characters";
        }
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            if (ch == '/' && !path) {
                return "holds '/', which only a ${claim:path} placeholder allows";
            }
            if (ch != '/' && !safe(ch)) {
                return "holds a character outside the safe set A-Z a-z 0-9 - _ ." + (path ? " /" : "");
            }
        }
        if (value.contains("..") || value.equals(".")) {
            return "is or holds '..' or is '.'";
        }
        if (path && (value.startsWith("/") || value.endsWith("/") || value.contains("//"))) {
            return "has an empty path segment";
        }
        if (path && (value.startsWith("./") || value.endsWith("/.") || value.contains("/./"))) {
            return "has a '.' path segment";
        }
        return null;
    }

    /** The safe set: ASCII letters and digits, '-', '_' and '.'. */
    static boolean safe(char ch) {
        return (ch >= 'a' && ch <= 'z')
                || (ch >= 'A' && ch <= 'Z')
                || (ch >= '0' && ch <= '9')
                || ch == '-'
                || ch == '_'
                || ch == '.';
    }

    @Override
    public String toString() {
        return source;
    }
}
