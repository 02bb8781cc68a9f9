package dev.ferry.dpop;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;

/**
 * An http(s) URI as a DPoP proof's {@code htu} is compared (RFC 9449 §4.3, check 9): without its query
 * and fragment, after RFC 3986 syntax-based normalization (§6.2.2: the case of scheme and host,
 * percent-encoding, dot segments) and scheme-based normalization (§6.2.3: the default port, an empty
 * path). Two URIs that differ only in those ways name the same endpoint.
 */
final class HttpTargetUri {

    private static final String UNRESERVED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";

    private HttpTargetUri() {}

    /** {@code text} normalized, or null when it is not an absolute http(s) URI with a host and no user info. */
    static String normalized(String text) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            return null;
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https"))
                || uri.getHost() == null
                || uri.getRawUserInfo() != null) {
            return null;
        }
        int port = uri.getPort();
        boolean defaultPort = port == -1 || port == (scheme.equals("http") ? 80 : 443);
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port)
                + withoutDotSegments(percentNormalized(path));
    }

    /** RFC 3986 §6.2.2.1 and §6.2.2.2: hex digits upper case, unreserved characters decoded. */
    private static String percentNormalized(String path) {
        StringBuilder out = new StringBuilder(path.length());
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '%' && i + 2 < path.length() && isHex(path.charAt(i + 1)) && isHex(path.charAt(i + 2))) {
                char decoded = (char) Integer.parseInt(path.substring(i + 1, i + 3), 16);
                if (UNRESERVED.indexOf(decoded) >= 0) {
                    out.append(decoded);
                } else {
                    out.append('%').append(path.substring(i + 1, i + 3).toUpperCase(Locale.ROOT));
                }
                i += 2;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean isHex(char c) {
        return Character.digit(c, 16) >= 0;
    }

    /** RFC 3986 §5.2.4, for an absolute path: {@code .} and {@code ..} segments resolved. */
    private static String withoutDotSegments(String path) {
        Deque<String> kept = new ArrayDeque<>();
        String[] segments = path.split("/", -1);
        for (int i = 1; i < segments.length; i++) {
            boolean last = i == segments.length - 1;
            switch (segments[i]) {
                case "." -> {
                    if (last) {
                        kept.addLast("");
                    }
                }
                case ".." -> {
                    kept.pollLast();
                    if (last) {
                        kept.addLast("");
                    }
                }
                default -> kept.addLast(segments[i]);
            }
        }
        return "/" + String.join("/", kept);
    }
}
