package dev.ferry.bench;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
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
 * its own {@code jti}, signed by one key as a CI job's would be (ES256 unless an algorithm is given; RS256 with a
 * 2048-bit key): what {@code bench/load.sh} sends
 * with {@code DPOP=1}. They are made by Nimbus's client-side factory, not by Ferry's code. Their {@code
 * iat} is the time they were made, so the load script starts Ferry with a {@code ferry.dpop.proof-max-age}
 * that covers the run.
 *
 * <p>Usage: {@code java -cp <test classpath> dev.ferry.bench.DpopProofs <file> <token endpoint> <count> [ES256|RS256]}
 */
public final class DpopProofs {

    private DpopProofs() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 3 && args.length != 4) {
            System.err.println("usage: DpopProofs <file> <token endpoint> <count> [ES256|RS256]");
            System.exit(2);
        }
        URI endpoint = URI.create(args[1]);
        int count = Integer.parseInt(args[2]);
        JWSAlgorithm algorithm = JWSAlgorithm.parse(args.length == 4 ? args[3] : "ES256");
        JWK key = JWSAlgorithm.RS256.equals(algorithm)
                ? new RSAKeyGenerator(2048).generate()
                : new ECKeyGenerator(Curve.P_256).generate();
        DPoPProofFactory factory = new DefaultDPoPProofFactory(key, algorithm);
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
