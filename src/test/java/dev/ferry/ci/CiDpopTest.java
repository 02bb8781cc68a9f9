package dev.ferry.ci;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.impl.ECDSA;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.oauth2.sdk.dpop.JWKThumbprintConfirmation;
import com.nimbusds.oauth2.sdk.dpop.verifiers.DPoPIssuer;
import com.nimbusds.oauth2.sdk.dpop.verifiers.DPoPProofUse;
import com.nimbusds.oauth2.sdk.dpop.verifiers.DPoPProtectedResourceRequestVerifier;
import com.nimbusds.oauth2.sdk.dpop.verifiers.DPoPTokenRequestVerifier;
import com.nimbusds.oauth2.sdk.dpop.verifiers.InMemoryDPoPSingleUseChecker;
import com.nimbusds.oauth2.sdk.token.DPoPAccessToken;
import com.nimbusds.oauth2.sdk.util.singleuse.SingleUseChecker;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The {@code dpop} option of the action and the component (RFC 9449), against a stand-in for Ferry's token endpoint
 * that answers as a Ferry with DPoP does (first {@code use_dpop_nonce}, then {@code token_type: DPoP}): every proof
 * the scripts make, at the exchange and later with {@code ferry-dpop-proof}, is checked by Nimbus's DPoP verifiers and
 * its ECDSA verifier, and the thumbprint and results by the key file itself. The key and the exchange's proofs are never
 * printed.
 * A real Ferry that does not bind tokens yet is in {@link GitHubActionTest} and {@link GitLabComponentTest}.
 */
class CiDpopTest {

    private static final String TARGET = "https://api.example.com";
    private static final String API = "https://api.example.com/deployments";
    private static final Set<JWSAlgorithm> ES256 = Set.of(JWSAlgorithm.ES256);
    private static final DPoPIssuer JOB = new DPoPIssuer("ci-job");
    private static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    Path dir;

    private final Instant started = Instant.now().minusSeconds(1);
    private final List<String> secrets = new ArrayList<>();
    private final List<Shell.Run> runs = new ArrayList<>();
    /** Shared by every verification of a test, so a jti used twice is refused (RFC 9449 section 11.1). */
    private final SingleUseChecker<DPoPProofUse> jtis = new InMemoryDPoPSingleUseChecker(300, 300);

    private TokenEndpoint ferry;
    private GitHubOidcEndpoint oidc;

    @BeforeEach
    void start() {
        Shell.assumeInstalled("bash", "curl", "jq", "openssl");
        ferry = new TokenEndpoint();
        oidc = new GitHubOidcEndpoint(audience -> remember(jwtShaped()));
    }

    /** Neither token, no proof of the exchange, and not the private key: on no line of any run's output. */
    @AfterEach
    void nothingSecretWasPrinted() {
        if (ferry == null) {
            return;
        }
        secrets.addAll(ferry.proofs().stream().filter(p -> p != null).toList());
        runs.forEach(run -> run.assertLeaksNone(secrets, true));
        oidc.close();
        ferry.close();
    }

    // ---- the action

    @Test
    void theActionSendsAProofRetriesOnceWithFerrysNonceAndHandsOnWhatLaterStepsNeed() throws Exception {
        String accessToken = remember(jwtShaped());
        ferry.answer(TokenEndpoint.nonce("ferry-nonce-1"), TokenEndpoint.token("DPoP", accessToken));

        GitHubAction.Result result = github(Map.of("dpop", "true"));

        assertThat(result.run().exitCode()).as(result.run().toString()).isZero();
        // The first proof has no nonce; Ferry's 400 use_dpop_nonce brings one, and the one retry carries it.
        assertThat(ferry.proofs()).hasSize(2);
        SignedJWT first = verifiedAtTokenEndpoint(ferry.proofs().get(0), null);
        SignedJWT second = verifiedAtTokenEndpoint(ferry.proofs().get(1), "ferry-nonce-1");
        ECKey key = keyOf(Path.of(result.outputs().get("dpop-key-file")));
        assertThat(first.getHeader().getJWK().toJSONObject())
                .isEqualTo(second.getHeader().getJWK().toJSONObject())
                .isEqualTo(key.toPublicJWK().toJSONObject());
        assertThat(result.outputs())
                .containsEntry("access-token", accessToken)
                .containsEntry("token-type", "DPoP")
                .containsEntry("dpop-jkt", key.computeThumbprint().toString());
        assertThat(result.env()).containsExactly(Map.entry("FERRY_ACCESS_TOKEN", accessToken));
        Path keyFile = Path.of(result.outputs().get("dpop-key-file"));
        // In a directory of its own under RUNNER_TEMP (here the run's directory, run-*), which only the job can read.
        assertThat(keyFile.getParent().getFileName().toString()).startsWith("ferry-dpop.");
        assertThat(keyFile.getParent().getParent().getFileName().toString()).startsWith("run-");
        assertThat(mode(keyFile)).isEqualTo("rw-------");
        assertThat(mode(keyFile.getParent())).isEqualTo("rwx------");
        assertThat(result.path()).containsExactly(keyFile.resolveSibling("bin").toString());
        assertIsTheScriptsHelper(keyFile);
        assertThat(result.run().stderr())
                .contains("Ferry asked for a DPoP nonce; sending the exchange again with a proof that has it.")
                .contains("Ferry issued a DPoP-bound access token for audience '" + TARGET + "'")
                .contains("ferry-dpop-proof on the PATH of later steps");

        // A later step makes its own proofs: htu without query and fragment, ath of the token, the API's nonce.
        Shell.Run later = laterStep(
                result,
                "ferry-dpop-proof GET '" + API + "?page=2#top'",
                "ferry-dpop-proof GET " + API,
                "ferry-dpop-proof POST " + TARGET + "/deploy api-nonce-7");
        assertThat(later.exitCode()).as(later.toString()).isZero();
        List<String> proofs = later.stdoutLines();
        assertThat(proofs).hasSize(3);
        String jkt = result.outputs().get("dpop-jkt");
        verifiedAtApi(proofs.get(0), "GET", API + "?page=2", accessToken, jkt, null);
        verifiedAtApi(proofs.get(1), "GET", API, accessToken, jkt, null);
        verifiedAtApi(proofs.get(2), "POST", TARGET + "/deploy", accessToken, jkt, "api-nonce-7");
        assertThat(later.stderr()).isEmpty();
    }

    @Test
    void eachAttemptOfARetriedExchangeSendsAFreshProof() throws Exception {
        ferry.answer(TokenEndpoint.unavailable(), TokenEndpoint.token("DPoP", remember(jwtShaped())));

        GitHubAction.Result result = github(Map.of("dpop", "true"));

        assertThat(result.run().exitCode()).as(result.run().toString()).isZero();
        assertThat(ferry.proofs()).hasSize(2);
        // One single-use checker for both: the second proof's jti is new, and its iat is after the wait.
        SignedJWT first = verifiedAtTokenEndpoint(ferry.proofs().get(0), null);
        SignedJWT second = verifiedAtTokenEndpoint(ferry.proofs().get(1), null);
        assertThat(second.getJWTClaimsSet().getIssueTime())
                .isAfter(first.getJWTClaimsSet().getIssueTime());
    }

    @Test
    void aBearerTokenWhereDpopWasAskedForFailsTheStepAndHandsNothingOn() {
        ferry.answer(TokenEndpoint.token("Bearer", remember(jwtShaped())));

        GitHubAction.Result result = github(Map.of("dpop", "true"));

        assertThat(failedWith(result, "Ferry did not issue a DPoP-bound token"))
                .contains("dpop is true, but Ferry answered token_type 'Bearer'")
                .contains("exchange_id " + TokenEndpoint.EXCHANGE_ID)
                .contains("The step does not hand it on.")
                .contains(
                        "this Ferry does not support DPoP (RFC 9449), or a proxy in front of it drops the DPoP header");
        assertThat(ferry.proofs()).hasSize(1).doesNotContainNull();
    }

    @Test
    void aSecondNonceRequestFailsTheStepWithAHint() throws Exception {
        ferry.answer(TokenEndpoint.nonce("nonce-a"), TokenEndpoint.nonce("nonce-b"));

        GitHubAction.Result result = github(Map.of("dpop", "true"));

        assertThat(failedWith(result, "Ferry refused the token exchange"))
                .contains("error: use_dpop_nonce")
                .contains("Ferry asked for a DPoP nonce again after the step sent the one it had asked for");
        assertThat(ferry.proofs()).hasSize(2);
        verifiedAtTokenEndpoint(ferry.proofs().get(1), "nonce-a");
    }

    @Test
    void withoutDpopNoProofIsSentAndNothingNewIsHandedOn() {
        ferry.answer(TokenEndpoint.token("Bearer", remember(jwtShaped())));

        GitHubAction.Result result = github(Map.of());

        assertThat(result.run().exitCode()).as(result.run().toString()).isZero();
        assertThat(ferry.proofs()).containsExactly((String) null);
        assertThat(result.outputs()).containsOnlyKeys("access-token", "expires-in", "scope", "exchange-id");
        assertThat(result.path()).isEmpty();
        assertThat(keyDirectories()).isEmpty();
    }

    @Test
    void wrongDpopInputsFailBeforeAnyRequest() {
        GitHubAction.Result result = github(Map.of("dpop", "yes"));
        assertThat(failedWith(result, "Ferry token exchange: wrong input")).contains("dpop must be true or false");
        assertThat(result.run().exitCode()).isEqualTo(2);

        GitLabComponent.Job job = gitlab("dash", Map.of("dpop", "true", "dotenv", "ferry.env"), List.of());
        assertThat(job.run().exitCode()).isNotZero();
        assertThat(job.run().stderr())
                .contains("Ferry token exchange: wrong input")
                .contains("dpop and dotenv do not go together");

        assertThat(ferry.proofs()).isEmpty();
        assertThat(oidc.audiences()).isEmpty();
    }

    // ---- the component

    @ParameterizedTest
    @ValueSource(strings = {"bash", "dash", "busybox"})
    void theComponentGivesTheJobsScriptTheTokenItsKeyAndTheProofCommand(String shell) throws Exception {
        Shell.assumeInstalled(shell);
        String accessToken = remember(jwtShaped());
        ferry.answer(TokenEndpoint.nonce("ferry-nonce-2"), TokenEndpoint.token("DPoP", accessToken));

        GitLabComponent.Job job = gitlab(
                shell,
                Map.of("dpop", "true"),
                List.of(
                        "probe() { printf '%s' \"$2\" > \"$FERRY_PROBE/$1\"; }",
                        "probe token \"$FERRY_ACCESS_TOKEN\"",
                        "probe type \"$FERRY_ACCESS_TOKEN_TYPE\"",
                        "probe key \"$FERRY_ACCESS_TOKEN_DPOP_KEY_FILE\"",
                        "probe jkt \"$FERRY_ACCESS_TOKEN_DPOP_JKT\"",
                        "probe proof \"$(ferry-dpop-proof GET " + API + ")\"",
                        "probe child \"$(sh -c 'ferry-dpop-proof DELETE " + API + "/7 api-nonce')\""));

        assertThat(job.run().exitCode()).as(job.run().toString()).isZero();
        assertThat(job.run().stdout()).isEmpty();
        verifiedAtTokenEndpoint(ferry.proofs().get(0), null);
        verifiedAtTokenEndpoint(ferry.proofs().get(1), "ferry-nonce-2");
        Path keyFile = Path.of(probe("key"));
        ECKey key = keyOf(keyFile);
        assertThat(mode(keyFile)).isEqualTo("rw-------");
        assertIsTheScriptsHelper(keyFile);
        assertThat(probe("token")).isEqualTo(accessToken);
        assertThat(probe("type")).isEqualTo("DPoP");
        assertThat(probe("jkt")).isEqualTo(key.computeThumbprint().toString());
        secrets.add(probe("proof"));
        secrets.add(probe("child"));
        verifiedAtApi(probe("proof"), "GET", API, accessToken, probe("jkt"), null);
        verifiedAtApi(probe("child"), "DELETE", API + "/7", accessToken, probe("jkt"), "api-nonce");
        assertThat(job.run().stderr()).contains("ferry-dpop-proof on the PATH");
    }

    @Test
    void aJobWhoseExchangeFailsHasNoKeyLeft() {
        ferry.answer(TokenEndpoint.token("Bearer", remember(jwtShaped())));

        GitLabComponent.Job job = gitlab("dash", Map.of("dpop", "true"), List.of("touch \"$FERRY_PROBE/ran\""));

        assertThat(job.run().exitCode()).isEqualTo(1);
        assertThat(job.run().stderr())
                .contains("ERROR: Ferry did not issue a DPoP-bound token")
                .contains("token_type 'Bearer'");
        assertThat(dir.resolve("probe")).isEmptyDirectory();
        assertThat(keyDirectories()).isEmpty();
    }

    // ---- the encodings, beside every awk this machine has

    /**
     * openssl writes ECDSA signatures in DER, where r and s are INTEGERs of 1 to 33 bytes: 33 with a zero byte in front
     * of a first byte of 0x80 or more, fewer than 32 when they are small. JOSE wants them as 32 bytes each (RFC 7518
     * section 3.4). Real P-256 signatures of each length, made here, must come out as Nimbus transcodes them and
     * verify in that form; malformed DER must be refused.
     */
    @ParameterizedTest
    @ValueSource(strings = {"gawk", "mawk", "nawk", "busybox"})
    void derSignaturesOfEveryIntegerLengthBecomeJoseSignatures(String awk) throws Exception {
        Shell.assumeInstalled(awk, "dash");
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair pair = generator.generateKeyPair();
        byte[] message = "header.claims".getBytes(StandardCharsets.US_ASCII);
        Map<String, byte[]> signatures = signaturesOfEachLength(pair, message);
        List<String> malformed = List.of(
                "",
                "3006020101020101ff", // a byte after the SEQUENCE
                "3106020101020101", // not a SEQUENCE
                "30260221" + "01".repeat(33) + "020101", // 33 bytes that are not a zero and 32
                "3006020501020101", // r runs past the end
                "30050200020101"); // r is empty

        List<String> inputs = new ArrayList<>();
        signatures.values().forEach(der -> inputs.add(HexFormat.of().formatHex(der)));
        inputs.add("3006020101020101");
        inputs.addAll(malformed);
        List<String> outputs = runFunction(awk, "ferry_dpop_jose_signature", inputs);

        int i = 0;
        for (Map.Entry<String, byte[]> signature : signatures.entrySet()) {
            byte[] jose = HexFormat.of().parseHex(outputs.get(i++));
            assertThat(jose)
                    .as(signature.getKey())
                    .isEqualTo(ECDSA.transcodeSignatureToConcat(signature.getValue(), 64));
            Signature p1363 = Signature.getInstance("SHA256withECDSAinP1363Format");
            p1363.initVerify(pair.getPublic());
            p1363.update(message);
            assertThat(p1363.verify(jose)).as(signature.getKey()).isTrue();
        }
        assertThat(outputs.get(i++)).isEqualTo("00".repeat(31) + "01" + "00".repeat(31) + "01");
        assertThat(outputs.subList(i, outputs.size())).as("malformed DER").allMatch("refused"::equals);
    }

    @ParameterizedTest
    @ValueSource(strings = {"gawk", "mawk", "nawk", "busybox"})
    void base64urlIsRfc4648sWithoutPadding(String awk) throws Exception {
        Shell.assumeInstalled(awk, "dash");
        List<byte[]> data = new ArrayList<>();
        for (int length = 0; length <= 70; length++) {
            byte[] bytes = new byte[length];
            RANDOM.nextBytes(bytes);
            data.add(bytes);
        }
        data.add(new byte[] {(byte) 0xfb, (byte) 0xff, (byte) 0xbf});

        List<String> outputs = runFunction(
                awk,
                "ferry_dpop_base64url",
                data.stream().map(HexFormat.of()::formatHex).toList());

        for (int i = 0; i < data.size(); i++) {
            assertThat(outputs.get(i))
                    .isEqualTo(Base64.getUrlEncoder().withoutPadding().encodeToString(data.get(i)));
        }
    }

    // ---- running the scripts

    private GitHubAction.Result github(Map<String, String> inputs) {
        Map<String, String> all = new LinkedHashMap<>(
                Map.of("ferry-url", ferry.url(), "audience", TARGET, "id-token-audience", "ferry", "retries", "1"));
        all.putAll(inputs);
        GitHubAction.Result result = new GitHubAction()
                .run(
                        all,
                        Map.of(
                                "ACTIONS_ID_TOKEN_REQUEST_URL", oidc.requestUrl(),
                                "ACTIONS_ID_TOKEN_REQUEST_TOKEN", oidc.requestToken()),
                        dir);
        runs.add(result.run());
        return result;
    }

    /** A later step of the job: its own bash, with the environment and PATH the action left it. */
    private Shell.Run laterStep(GitHubAction.Result result, String... lines) throws IOException {
        Path work = Files.createDirectories(dir.resolve("later-" + System.nanoTime()));
        Path script = Files.writeString(work.resolve("step.sh"), String.join("\n", lines) + "\n");
        Shell.Run run = Shell.run(
                List.of("bash", "--noprofile", "--norc", "-eo", "pipefail", script.toString()),
                result.laterStepEnv(),
                work);
        runs.add(run);
        return run;
    }

    private GitLabComponent.Job gitlab(String shell, Map<String, String> inputs, List<String> script) {
        Map<String, String> all = new LinkedHashMap<>(Map.of("ferry-url", ferry.url(), "audience", TARGET));
        all.putAll(inputs);
        try {
            Path probe = Files.createDirectories(dir.resolve("probe"));
            GitLabComponent.Job job = new GitLabComponent()
                    .run(
                            shell,
                            all,
                            audience -> remember(jwtShaped()),
                            script,
                            Map.of("FERRY_PROBE", probe.toString()),
                            dir);
            runs.add(job.run());
            return job;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String probe(String name) throws IOException {
        return Files.readString(dir.resolve("probe").resolve(name));
    }

    /**
     * The function {@code name} of the script's ferry-dpop-proof, defined in dash with {@code awk} as awk, applied to
     * each input; "refused" where it failed.
     */
    private List<String> runFunction(String awk, String name, List<String> inputs) throws IOException {
        Matcher function =
                Pattern.compile("(?ms)^" + name + "\\(\\) \\{\\n.*?^}\\n").matcher(Files.readString(Shell.SCRIPT));
        assertThat(function.find()).as("%s in %s", name, Shell.SCRIPT).isTrue();
        Path work = Files.createDirectories(dir.resolve(name + "-" + awk));
        Path bin = Files.createDirectories(work.resolve("bin"));
        Files.writeString(
                bin.resolve("awk"),
                awk.equals("busybox")
                        ? "#!/bin/sh\nexec busybox awk \"$@\"\n"
                        : "#!/bin/sh\nexec " + awk + " \"$@\"\n");
        bin.resolve("awk").toFile().setExecutable(true);
        Path input = Files.write(work.resolve("input"), inputs);
        Path script = Files.writeString(
                work.resolve("run.sh"),
                function.group()
                        + "while IFS= read -r line; do\n"
                        + "    if out=$(" + name + " \"$line\"); then printf '%s\\n' \"$out\"; else echo refused; fi\n"
                        + "done < \"$1\"\n");
        Shell.Run run = Shell.run(
                List.of("dash", script.toString(), input.toString()),
                Map.of("PATH", bin + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin")),
                work);
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.stdoutLines()).hasSize(inputs.size());
        return run.stdoutLines();
    }

    // ---- proofs, as a server checks them

    /** What the verifiers take for granted: one header of typ, alg and a public jwk with only its members, and iat now. */
    private SignedJWT wellFormed(String proof) throws Exception {
        SignedJWT jwt = SignedJWT.parse(proof);
        assertThat(jwt.getHeader().toJSONObject()).containsOnlyKeys("typ", "alg", "jwk");
        assertThat(jwt.getHeader().getType()).isEqualTo(new JOSEObjectType("dpop+jwt"));
        assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
        JWK jwk = jwt.getHeader().getJWK();
        assertThat(jwk.isPrivate()).isFalse();
        assertThat(jwk.toJSONObject()).containsOnlyKeys("kty", "crv", "x", "y");
        assertThat(jwk.toECKey().getCurve()).isEqualTo(Curve.P_256);
        assertThat(jwt.verify(new ECDSAVerifier(jwk.toECKey()))).isTrue();
        assertThat(jwt.getJWTClaimsSet().getIssueTime().toInstant()).isBetween(started, Instant.now());
        assertThat(jwt.getJWTClaimsSet().getJWTID()).hasSizeGreaterThanOrEqualTo(22);
        return jwt;
    }

    /** A proof for {@code POST <Ferry>/token} (RFC 9449 section 4.3), with {@code nonce} or none, and no ath. */
    private SignedJWT verifiedAtTokenEndpoint(String proof, String nonce) throws Exception {
        SignedJWT jwt = wellFormed(proof);
        new DPoPTokenRequestVerifier(ES256, URI.create(ferry.url() + "/token"), 5, 60, jtis)
                .verify(JOB, jwt, nonce == null ? null : new Nonce(nonce));
        assertThat(jwt.getJWTClaimsSet().getClaims())
                .containsEntry("htm", "POST")
                .containsEntry("htu", ferry.url() + "/token")
                .doesNotContainKey("ath");
        assertThat(jwt.getJWTClaimsSet().getClaim("nonce")).isEqualTo(nonce);
        return jwt;
    }

    /**
     * A proof an API accepts with the access token for {@code method url} (RFC 9449 section 7.1): signed by the key
     * whose thumbprint is {@code jkt}, the token's {@code cnf.jkt}, with ath of the token and {@code nonce} or none.
     */
    private void verifiedAtApi(String proof, String method, String url, String accessToken, String jkt, String nonce)
            throws Exception {
        SignedJWT jwt = wellFormed(proof);
        new DPoPProtectedResourceRequestVerifier(ES256, 5, 60, jtis)
                .verify(
                        method,
                        URI.create(url),
                        JOB,
                        jwt,
                        new DPoPAccessToken(accessToken),
                        new JWKThumbprintConfirmation(new Base64URL(jkt)),
                        nonce == null ? null : new Nonce(nonce));
        byte[] hash = MessageDigest.getInstance("SHA-256").digest(accessToken.getBytes(StandardCharsets.US_ASCII));
        assertThat(jwt.getJWTClaimsSet().getClaims())
                .containsEntry("htm", method)
                .containsEntry("htu", url.replaceAll("[?#].*", ""))
                .containsEntry("ath", Base64URL.encode(hash).toString());
        assertThat(jwt.getJWTClaimsSet().getClaim("nonce")).isEqualTo(nonce);
    }

    // ---- the key

    /**
     * The key pair in {@code file}, read without openssl: the PEM of an RFC 5915 ECPrivateKey of P-256 as openssl
     * writes it, a fixed DER layout with d at bytes 7 to 38 and the point 04 || x || y at bytes 56 to 120. Its lines
     * become secrets that no output may show.
     */
    private ECKey keyOf(Path file) throws Exception {
        String pem = Files.readString(file);
        assertThat(pem).startsWith("-----BEGIN EC PRIVATE KEY-----\n").endsWith("-----END EC PRIVATE KEY-----\n");
        List<String> body =
                pem.lines().filter(line -> !line.startsWith("-----")).toList();
        byte[] der = Base64.getDecoder().decode(String.join("", body));
        assertThat(HexFormat.of().formatHex(der, 0, 7)).isEqualTo("30770201010420");
        assertThat(HexFormat.of().formatHex(der, 39, 57)).isEqualTo("a00a06082a8648ce3d030107a14403420004");
        assertThat(der).hasSize(121);
        ECKey key = new ECKey.Builder(
                        Curve.P_256,
                        Base64URL.encode(Arrays.copyOfRange(der, 57, 89)),
                        Base64URL.encode(Arrays.copyOfRange(der, 89, 121)))
                .d(Base64URL.encode(Arrays.copyOfRange(der, 7, 39)))
                .build();
        // d belongs to the point: it signs what the public key verifies.
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(key.toECPrivateKey());
        signer.update(new byte[] {1});
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(key.toECPublicKey());
        verifier.update(new byte[] {1});
        assertThat(verifier.verify(signer.sign())).isTrue();
        secrets.addAll(body);
        secrets.add(key.getD().toString());
        return key;
    }

    /**
     * The ferry-dpop-proof beside the key is the text that ferry-token.sh holds (the one script of the action and,
     * inlined, of the component): a shebang, the line that names its directory, then the script's here-document.
     */
    private static void assertIsTheScriptsHelper(Path keyFile) throws IOException {
        Path helper = keyFile.resolveSibling("bin").resolve("ferry-dpop-proof");
        Matcher text = Pattern.compile("(?s)<<'FERRY_DPOP_PROOF'\n(.*?\n)FERRY_DPOP_PROOF\n")
                .matcher(Files.readString(Shell.SCRIPT));
        assertThat(text.find()).isTrue();
        assertThat(Files.readString(helper))
                .isEqualTo("#!/bin/sh\nferry_dpop_dir='" + keyFile.getParent() + "'\n" + text.group(1));
        assertThat(mode(helper)).isEqualTo("rwx------");
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    /** The key directories the scripts left anywhere under this test's directory. */
    private List<Path> keyDirectories() {
        try (Stream<Path> paths = Files.walk(dir)) {
            return paths.filter(p -> p.getFileName().toString().startsWith("ferry-dpop."))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * DER signatures of {@code message} by {@code pair}, one for each length r and s take in P-256 signatures that are
     * not rare: 31 bytes (about 1 in 512), 32 and 33.
     */
    private static Map<String, byte[]> signaturesOfEachLength(KeyPair pair, byte[] message) throws Exception {
        Map<String, byte[]> found = new LinkedHashMap<>();
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(pair.getPrivate());
        for (int attempt = 0; attempt < 200_000 && found.size() < 6; attempt++) {
            signer.update(message);
            byte[] der = signer.sign();
            int r = der[3];
            int s = der[5 + r];
            // Shorter integers (30 bytes or less, one signature in 65,536) are drawn now and then: not the
            // lengths this collects.
            if (r >= 31) {
                found.putIfAbsent("r of " + r + " bytes", der);
            }
            if (s >= 31) {
                found.putIfAbsent("s of " + s + " bytes", der);
            }
        }
        assertThat(found)
                .containsOnlyKeys(
                        "r of 31 bytes",
                        "r of 32 bytes",
                        "r of 33 bytes",
                        "s of 31 bytes",
                        "s of 32 bytes",
                        "s of 33 bytes");
        return found;
    }

    private String remember(String secret) {
        secrets.add(secret);
        return secret;
    }

    /** Three base64url parts, like an ID token or an access token; the stand-ins do not check signatures. */
    private static String jwtShaped() {
        byte[] claims = new byte[48];
        byte[] signature = new byte[64];
        RANDOM.nextBytes(claims);
        RANDOM.nextBytes(signature);
        return "eyJhbGciOiJFUzI1NiJ9." + Base64URL.encode(claims) + "." + Base64URL.encode(signature);
    }

    /**
     * The run failed with one error annotation titled {@code title}, which it returns, and handed nothing on: no
     * output, environment variable or PATH entry, and no key left in the runner's temporary directory.
     */
    private String failedWith(GitHubAction.Result result, String title) {
        assertThat(result.run().exitCode()).as(result.run().toString()).isNotZero();
        List<String> errors = result.run().stdoutLines().stream()
                .filter(line -> line.startsWith("::error "))
                .toList();
        assertThat(errors).as(result.run().toString()).hasSize(1);
        String prefix = "::error title=" + title.replace(":", "%3A").replace(",", "%2C") + "::";
        assertThat(errors.get(0)).startsWith(prefix);
        assertThat(result.outputs()).isEmpty();
        assertThat(result.env()).isEmpty();
        assertThat(result.path()).isEmpty();
        assertThat(keyDirectories()).isEmpty();
        return errors.get(0).substring(prefix.length()).replace("%0A", "\n").replace("%25", "%");
    }

    /**
     * A stand-in for Ferry's {@code POST /token}: it answers each request with the next of its answers (the last one
     * repeats) and keeps each request's {@code DPoP} header, null where there was none.
     */
    static final class TokenEndpoint implements AutoCloseable {

        static final String EXCHANGE_ID = UUID.randomUUID().toString();

        record Answer(int status, Map<String, String> headers, String body) {}

        private final HttpServer server;
        private final List<String> proofs = new CopyOnWriteArrayList<>();
        private volatile List<Answer> answers = List.of();

        TokenEndpoint() {
            try {
                server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            server.createContext("/token", this::handle);
            server.start();
        }

        /** RFC 9449 section 8: the proof lacks the nonce the server requires; here it is. */
        static Answer nonce(String nonce) {
            return new Answer(
                    400,
                    Map.of("DPoP-Nonce", nonce),
                    "{\"error\":\"use_dpop_nonce\",\"error_description\":\"Authorization server requires nonce in DPoP proof\"}");
        }

        static Answer token(String tokenType, String accessToken) {
            return new Answer(
                    200,
                    Map.of("Ferry-Exchange-Id", EXCHANGE_ID),
                    "{\"access_token\":\"" + accessToken + "\",\"issued_token_type\":"
                            + "\"urn:ietf:params:oauth:token-type:access_token\",\"token_type\":\"" + tokenType
                            + "\",\"expires_in\":600,\"scope\":\"deploy\"}");
        }

        static Answer unavailable() {
            return new Answer(
                    503,
                    Map.of("Retry-After", "1"),
                    "{\"error\":\"temporarily_unavailable\",\"error_description\":\"database unavailable\"}");
        }

        void answer(Answer... answers) {
            this.answers = List.of(answers);
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        List<String> proofs() {
            return new ArrayList<>(proofs);
        }

        private void handle(HttpExchange exchange) throws IOException {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                proofs.add(exchange.getRequestHeaders().getFirst("DPoP"));
                List<Answer> script = answers;
                Answer answer = script.get(Math.min(proofs.size(), script.size()) - 1);
                byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
                answer.headers().forEach(exchange.getResponseHeaders()::set);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.getResponseHeaders().set("Cache-Control", "no-store");
                exchange.sendResponseHeaders(answer.status(), body.length);
                exchange.getResponseBody().write(body);
            }
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
