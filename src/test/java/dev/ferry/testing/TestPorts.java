package dev.ferry.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;

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

    /** Binds a loopback port of the system's choice: a server, or a socket. */
    @FunctionalInterface
    public interface Binding<T> {
        T bind() throws IOException;
    }

    /** A free port never handed out before in this JVM, for a server that binds it itself later. */
    public static int unused() {
        ServerSocket socket = bind(
                () -> new ServerSocket(0, 0, InetAddress.getLoopbackAddress()),
                ServerSocket::getLocalPort,
                TestPorts::close);
        close(socket);
        return socket.getLocalPort();
    }

    /**
     * Something bound to a port never handed out before in this JVM. Ports handed out already are held,
     * bound, while another is drawn, so the system cannot give them back; then they are closed.
     */
    public static <T> T bind(Binding<T> binding, ToIntFunction<T> portOf, Consumer<T> close) {
        List<T> held = new ArrayList<>();
        try {
            for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
                T candidate = binding.bind();
                if (HANDED_OUT.add(portOf.applyAsInt(candidate))) {
                    return candidate;
                }
                held.add(candidate);
            }
            throw new IllegalStateException("no port unused by earlier tests in " + ATTEMPTS + " attempts");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            held.forEach(close);
        }
    }

    private static void close(ServerSocket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing a listening socket that never accepted does not fail in practice
        }
    }
}
