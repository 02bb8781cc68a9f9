package dev.ferry.bench;

import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Writes what {@code bench/load.sh} needs, into a directory:
 *
 * <ul>
 *   <li>{@code definitions.json}: for {@code POST /admin/v1/import}, the issuer {@code bench} (type
 *       github, its JWKS inline, so Ferry never fetches keys) and {@code rules} allow rules, rule i
 *       pinning {@code repository_owner_id} to owner {@code i % owners}, {@code repository_id} to
 *       that owner's repository number {@code i / owners} and {@code ref} to {@code refs/heads/main},
 *       all for the same target: one rule per repository, as an estate has them;
 *   <li>{@code bodies.txt}: {@code tokens} {@code POST /token} form bodies, one a line, each with its
 *       own freshly signed RS256 subject token (valid for an hour) of a repository some rule grants:
 *       each exchange matches exactly one rule, with 10 rules as with 100,000. (Before, the rules of
 *       one owner differed only by name, so with 100,000 rules over 10,000 owners every exchange
 *       matched ten, and the audit wrote ten times the rule-keyed rows of the 10-rule run.)
 * </ul>
 *
 * <p>Usage: {@code java -cp <test classpath> dev.ferry.bench.LoadFixtures <dir> <tokens> <rules> [owners]}
 * (owners: 1,000 unless given)
 */
public final class LoadFixtures {

    private static final String GRANT_TYPE = "urn:ietf:params:oauth:grant-type:token-exchange";
    private static final String ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token";

    private LoadFixtures() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 3 && args.length != 4) {
            System.err.println("usage: LoadFixtures <dir> <tokens> <rules> [owners]");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        int tokens = Integer.parseInt(args[1]);
        int rules = Integer.parseInt(args[2]);
        int allOwners = args.length == 4 ? Integer.parseInt(args[3]) : 1000;
        Files.createDirectories(dir);
        RSAKey key = GithubTokens.newIssuerKey();
        Files.writeString(dir.resolve("definitions.json"), definitions(key, rules, allOwners));
        int owners = Math.min(rules, allOwners);
        int repositories = (rules + owners - 1) / owners;
        Instant now = Instant.now();
        List<String> bodies = IntStream.range(0, tokens)
                .parallel()
                .mapToObj(i -> body(GithubTokens.token(key, i % owners, (i / owners) % repositories, now)))
                .toList();
        Files.write(dir.resolve("bodies.txt"), bodies);
    }

    private static String body(String subjectToken) {
        return "grant_type=" + encode(GRANT_TYPE)
                + "&subject_token=" + subjectToken
                + "&subject_token_type=" + encode(ID_TOKEN_TYPE)
                + "&audience=" + encode(GithubTokens.TARGET);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static String definitions(RSAKey key, int rules, int owners) {
        Map<String, Object> issuer = new LinkedHashMap<>();
        issuer.put("name", GithubTokens.ISSUER_NAME);
        issuer.put("type", "github");
        issuer.put("issuerUrl", GithubTokens.ISSUER_URL);
        issuer.put("jwks", Map.of("keys", List.of(key.toPublicJWK().toJSONObject())));
        issuer.put("acceptedAudiences", List.of(GithubTokens.AUDIENCE));
        List<Object> ruleList = new ArrayList<>(rules);
        for (int i = 0; i < rules; i++) {
            Map<String, Object> rule = new LinkedHashMap<>();
            rule.put("name", String.format("deploy-%05d", i));
            rule.put("issuer", GithubTokens.ISSUER_NAME);
            rule.put("effect", "allow");
            rule.put(
                    "conditions",
                    List.of(
                            Map.of(
                                    "claim",
                                    "repository_owner_id",
                                    "operator",
                                    "equals",
                                    "value",
                                    GithubTokens.ownerId(i % owners)),
                            Map.of(
                                    "claim",
                                    "repository_id",
                                    "operator",
                                    "equals",
                                    "value",
                                    GithubTokens.repositoryId(i % owners, i / owners)),
                            Map.of("claim", "ref", "operator", "equals", "value", "refs/heads/main")));
            rule.put("targets", List.of(GithubTokens.TARGET));
            rule.put("scopes", List.of("deploy"));
            rule.put("ttlSeconds", 600);
            ruleList.add(rule);
        }
        Map<String, Object> set = new LinkedHashMap<>();
        set.put("issuers", List.of(issuer));
        set.put("rules", ruleList);
        return JSONObjectUtils.toJSONString(set);
    }
}
