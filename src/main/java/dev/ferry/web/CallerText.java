package dev.ferry.web;

import java.nio.charset.StandardCharsets;
import java.util.function.IntPredicate;

/**
 * Text a caller chose (a subject token's {@code iss} or {@code kid}, a form parameter's name), made
 * safe to echo back in an RFC 6749 §5.2 {@code error_description} and to write to a log line:
 * characters that would break either are percent-encoded as UTF-8, so a value can neither forge a log
 * line nor put characters into {@code error_description} that the RFC does not allow there.
 */
public final class CallerText {

    private static final int MAX_SHOWN = 128;
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    /** RFC 6749 §5.2: error_description is %x20-21 / %x23-5B / %x5D-7E. */
    private static final IntPredicate DESCRIBABLE = c -> c >= 0x20 && c < 0x7F && c != '"' && c != '\\';

    private CallerText() {}

    /**
     * A caller's value quoted, cut to 128 characters, with every character outside RFC 6749's
     * {@code error_description} set, and {@code %} and the quote itself, percent-encoded.
     */
    public static String shown(String value) {
        if (value == null) {
            return "(none)";
        }
        boolean cut = value.codePointCount(0, value.length()) > MAX_SHOWN;
        String kept = cut ? value.substring(0, value.offsetByCodePoints(0, MAX_SHOWN)) : value;
        return "'" + encodedUnless(kept, DESCRIBABLE.and(c -> c != '%' && c != '\'')) + (cut ? "'..." : "'");
    }

    /**
     * {@code text}, built by Ferry around {@link #shown} values, with any character RFC 6749 does not
     * allow in {@code error_description} percent-encoded: a last guard, which leaves such text as it is.
     */
    public static String describable(String text) {
        return text == null ? null : encodedUnless(text, DESCRIBABLE);
    }

    /** Whether {@code text} has a control character (C0 or DEL). */
    public static boolean hasControlCharacter(String text) {
        return text.chars().anyMatch(c -> c < 0x20 || c == 0x7F);
    }

    /**
     * {@code text} with control characters (C0, DEL, C1), Unicode's line and paragraph separators and
     * its invisible format characters (bidirectional overrides, zero-width spaces) percent-encoded, so
     * it stays on one log line and reads in any viewer as what it is.
     */
    public static String loggable(String text) {
        return text == null
                ? null
                : encodedUnless(
                        text,
                        c -> c >= 0x20
                                && (c < 0x7F || c > 0x9F)
                                && c != 0x2028
                                && c != 0x2029
                                && Character.getType(c) != Character.FORMAT);
    }

    private static String encodedUnless(String text, IntPredicate kept) {
        if (text.codePoints().allMatch(kept)) {
            return text;
        }
        StringBuilder safe = new StringBuilder(text.length() + 16);
        text.codePoints().forEach(c -> {
            if (kept.test(c)) {
                safe.appendCodePoint(c);
            } else {
                for (byte b : new String(Character.toChars(c)).getBytes(StandardCharsets.UTF_8)) {
                    safe.append('%').append(HEX[(b >> 4) & 0xF]).append(HEX[b & 0xF]);
                }
            }
        });
        return safe.toString();
    }
}
