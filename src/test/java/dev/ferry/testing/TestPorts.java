package dev.ferry.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Loopback ports that no test of this JVM was given before. Issuers registered at Ferry stay in the test
 * database for the whole run and Ferry refuses a second issuer with the same URL, so a port the system
 * hands out again (after an earlier test issuer, provider or Ferry closed it) would make a later test
 * collide with an earlier one. Every test server whose address Ferry may store (issuers, OpenID
 * providers, the Ferrys tests start themselves) takes its port from here.
 */
public final class TestPorts {

    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();
    private static final int ATTEMPTS = 50;

    private TestPorts() {}

    /**
     * A free port never handed out before in this JVM. Ports already handed out are held open while
     * another is drawn, so the system cannot give them back.
     */
    public static int unused() {
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
                ServerSocket candidate = new ServerSocket(0, 0, InetAddress.getLoopbackAddress());
                held.add(candidate);
                if (HANDED_OUT.add(candidate.getLocalPort())) {
                    return candidate.getLocalPort();
                }
            }
            throw new IllegalStateException("no port unused by earlier tests in " + ATTEMPTS + " attempts");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (ServerSocket socket : held) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // closing a listening socket that never accepted does not fail in practice
                }
            }
        }
    }

    /**
     * Records a port a server bound by itself (port 0); false when the port was handed out before, and the
     * caller should bind again while holding this one.
     */
    public static boolean claim(int port) {
        return HANDED_OUT.add(port);
    }
}
