package dev.ferry.bench;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.oauth2.sdk.dpop.DPoPProofFactory;
import com.nimbusds.oauth2.sdk.dpop.DefaultDPoPProofFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Writes {@code count} DPoP proofs (RFC 9449) for {@code POST <token endpoint>}, one a line, each with
 * its own {@code jti}, signed ES256 by one key as a CI job's would be: what {@code bench/load.sh} sends
 * with {@code DPOP=1}. They are made by Nimbus's client-side factory, not by Ferry's code. Their {@code
 * iat} is the time they were made, so the load script starts Ferry with a {@code ferry.dpop.proof-max-age}
 * that covers the run.
 *
 * <p>Usage: {@code java -cp <test classpath> dev.ferry.bench.DpopProofs <file> <token endpoint> <count>}
 */
public final class DpopProofs {

    private DpopProofs() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: DpopProofs <file> <token endpoint> <count>");
            System.exit(2);
        }
        URI endpoint = URI.create(args[1]);
        int count = Integer.parseInt(args[2]);
        ECKey key = new ECKeyGenerator(Curve.P_256).generate();
        DPoPProofFactory factory = new DefaultDPoPProofFactory(key, JWSAlgorithm.ES256);
        List<String> proofs = IntStream.range(0, count)
                .parallel()
                .mapToObj(i -> proof(factory, endpoint))
                .toList();
        try {
            Files.write(Path.of(args[0]), proofs);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String proof(DPoPProofFactory factory, URI endpoint) {
        try {
            return factory.createDPoPJWT("POST", endpoint).serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
