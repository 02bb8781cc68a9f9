package dev.ferry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testing.TestIssuer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Export and import of every issuer and rule: YAML or JSON, dry runs, pruning, all-or-nothing. */
class GitOpsTest extends FerryIntegrationTest {

    @RegisterExtension
    static final TestIssuer ci = new TestIssuer();

    private Response importFile(String body, String contentType, String query) {
        return send(HttpRequest.newBuilder(URI.create(baseUrl() + "/admin/v1/import" + query))
                .header("Authorization", "Bearer " + BOOTSTRAP_TOKEN)
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build());
    }

    private Response exportAs(String accept) {
        return send(HttpRequest.newBuilder(URI.create(baseUrl() + "/admin/v1/export"))
                .header("Authorization", "Bearer " + BOOTSTRAP_TOKEN)
                .header("Accept", accept)
                .GET()
                .build());
    }

    private ObjectNode fileWith(String issuerName, String ruleName, String ownerId) {
        return (ObjectNode) JSON.valueToTree(Map.of(
                "issuers",
                        List.of(Map.of("name", issuerName, "type", "github", "issuerUrl", ci.url() + "/" + issuerName)),
                "rules",
                        List.of(rule(
                                ruleName,
                                issuerName,
                                "allow",
                                List.of(condition("repository_owner_id", "equals", ownerId)),
                                List.of("https://gitops.example.com"),
                                List.of("deploy")))));
    }

    @Test
    void dryRunShowsTheDiffAndAppliesNothingThenImportAppliesIdempotently() {
        String issuer = unique("gitops");
        String rule = unique("gitops-rule");
        String file = fileWith(issuer, rule, "4242").toString();

        JsonNode dryRun = importFile(file, "application/json", "?dryRun=true").json();
        assertThat(dryRun.get("dryRun").asBoolean()).isTrue();
        assertThat(dryRun.get("created").toString()).contains("issuer/" + issuer, "rule/" + rule);
        assertThat(admin("GET", "/admin/v1/issuers/" + issuer, null).status()).isEqualTo(404);

        JsonNode applied = importFile(file, "application/json", "").json();
        assertThat(applied.get("created")).hasSize(2);
        assertThat(admin("GET", "/admin/v1/rules/" + rule, null).status()).isEqualTo(200);

        JsonNode again = importFile(file, "application/json", "").json();
        assertThat(again.get("created")).isEmpty();
        assertThat(again.get("updated")).isEmpty();
        assertThat(again.get("unchanged").toString()).contains("issuer/" + issuer, "rule/" + rule);

        JsonNode changed = importFile(fileWith(issuer, rule, "7").toString(), "application/json", "")
                .json();
        assertThat(changed.get("updated").toString()).isEqualTo("[\"rule/" + rule + "\"]");
        assertThat(admin("GET", "/admin/v1/rules/" + rule, null)
                        .json()
                        .get("conditions")
                        .get(0)
                        .get("value")
                        .stringValue())
                .isEqualTo("7");
    }

    @Test
    void exportedYamlImportsBackUnchanged() {
        String issuer = unique("gitops-yaml");
        importFile(fileWith(issuer, unique("gitops-yaml-rule"), "4242").toString(), "application/json", "");

        Response yaml = exportAs("application/yaml");
        assertThat(yaml.header("Content-Type")).startsWith("application/yaml");
        assertThat(yaml.body()).contains("issuers:", "name: \"" + issuer + "\"");

        JsonNode result = importFile(yaml.body(), "application/yaml", "?dryRun=true&prune=true")
                .json();
        assertThat(result.get("created")).isEmpty();
        assertThat(result.get("updated")).isEmpty();
        assertThat(result.get("deleted")).isEmpty();
        assertThat(exportAs("application/json").json().get("issuers").toString())
                .contains(issuer);
    }

    @Test
    void pruneDeletesWhatTheFileLacks() {
        String issuer = unique("gitops-prune");
        String rule = unique("gitops-prune-rule");
        importFile(fileWith(issuer, rule, "4242").toString(), "application/json", "");
        ObjectNode everything = (ObjectNode) exportAs("application/json").json();
        ArrayNode keptRules = JSON.createArrayNode();
        everything.get("rules").forEach(r -> {
            if (!r.get("name").stringValue().equals(rule)) {
                keptRules.add(r);
            }
        });
        everything.set("rules", keptRules);

        JsonNode result = importFile(everything.toString(), "application/json", "?prune=true")
                .json();

        assertThat(result.get("deleted").toString()).isEqualTo("[\"rule/" + rule + "\"]");
        assertThat(admin("GET", "/admin/v1/rules/" + rule, null).status()).isEqualTo(404);
        assertThat(admin("GET", "/admin/v1/issuers/" + issuer, null).status()).isEqualTo(200);
    }

    @Test
    void oneBadEntryAppliesNothingAndNamesTheEntry() {
        String issuer = unique("gitops-bad");
        ObjectNode file = fileWith(issuer, unique("gitops-bad-rule"), "4242");
        ((ObjectNode) file.get("rules").get(0)).set("conditions", JSON.createArrayNode());

        Response response = importFile(file.toString(), "application/json", "");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().get("field").stringValue()).isEqualTo("rules[0].conditions");
        assertThat(admin("GET", "/admin/v1/issuers/" + issuer, null).status())
                .as("rolled back")
                .isEqualTo(404);
    }

    @Test
    void largeImportIsAllOrNothingAndThenIdempotent() {
        // 250 rules: the importer clears its persistence context every 100 writes.
        String issuer = unique("gitops-large");
        ObjectNode file = fileWith(issuer, unique("gitops-large-rule"), "0");
        ArrayNode rules = (ArrayNode) file.get("rules");
        for (int i = 1; i < 250; i++) {
            rules.add(JSON.valueToTree(deployRule(unique("gitops-large-rule"), issuer, String.valueOf(i))));
        }
        ObjectNode broken = file.deepCopy();
        ((ObjectNode) broken.get("rules").get(240)).set("conditions", JSON.createArrayNode());

        Response refused = importFile(broken.toString(), "application/json", "");
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.json().get("field").stringValue()).isEqualTo("rules[240].conditions");
        assertThat(admin("GET", "/admin/v1/issuers/" + issuer, null).status())
                .as("rolled back")
                .isEqualTo(404);
        assertThat(admin("GET", "/admin/v1/rules/" + rules.get(0).get("name").stringValue(), null)
                        .status())
                .isEqualTo(404);

        JsonNode applied = importFile(file.toString(), "application/json", "").json();
        assertThat(applied.get("created")).hasSize(251);
        assertThat(admin("GET", "/admin/v1/rules/" + rules.get(249).get("name").stringValue(), null)
                        .json()
                        .get("conditions")
                        .get(0)
                        .get("value")
                        .stringValue())
                .isEqualTo("249");

        JsonNode again = importFile(file.toString(), "application/json", "").json();
        assertThat(again.get("created")).isEmpty();
        assertThat(again.get("updated")).isEmpty();
        assertThat(again.get("unchanged")).hasSize(251);
    }

    @Test
    void aFileOfManyChunksIsReadRuleByRuleEvenWithItsRulesBeforeItsIssuers() {
        // 1,100 rules: three chunks of the importer, more changes than a replica applies one by one.
        String issuer = unique("gitops-chunks");
        String prefix = unique("gitops-chunk-rule");
        ArrayNode rules = JSON.createArrayNode();
        for (int i = 0; i < 1_100; i++) {
            rules.add(JSON.valueToTree(deployRule(prefix + "-" + i, issuer, String.valueOf(i))));
        }
        ObjectNode file = JSON.createObjectNode();
        file.set("rules", rules);
        file.set(
                "issuers",
                JSON.valueToTree(
                        List.of(Map.of("name", issuer, "type", "github", "issuerUrl", ci.url() + "/" + issuer))));
        ObjectNode broken = file.deepCopy();
        ((ObjectNode) broken.get("rules").get(1_050)).set("conditions", JSON.createArrayNode());
        long revisionBefore = revision();

        Response refused = importFile(broken.toString(), "application/json", "");
        assertThat(refused.status()).as(refused.body()).isEqualTo(400);
        assertThat(refused.json().get("field").stringValue()).isEqualTo("rules[1050].conditions");
        assertThat(storedRules(prefix)).as("rolled back").isZero();
        assertThat(revision()).isEqualTo(revisionBefore);

        Response applied = importFile(file.toString(), "application/json", "");
        assertThat(applied.status()).as(applied.body()).isEqualTo(200);
        assertThat(applied.json().get("created")).hasSize(1_101);
        assertThat(applied.json().get("created").get(0).stringValue()).isEqualTo("issuer/" + issuer);
        assertThat(applied.json().get("created").get(1_100).stringValue()).isEqualTo("rule/" + prefix + "-1099");
        assertThat(storedRules(prefix)).isEqualTo(1_100);
        assertThat(jdbc.queryForObject(
                        "select count(*) from audit_event where kind = 'admin' and action = 'create' and entity_name like ?",
                        Long.class,
                        prefix + "-%"))
                .as("each created rule has its audit event")
                .isEqualTo(1_100L);
        assertThat(jdbc.queryForObject(
                        "select count(distinct revision) from definition_change where kind = 'rule' and name like ?",
                        Long.class,
                        prefix + "-%"))
                .as("each created rule has its own revision in the change log")
                .isEqualTo(1_100L);
        assertThat(revision()).isEqualTo(revisionBefore + 1_101);
        assertThat(admin("GET", "/admin/v1/rules/" + prefix + "-1099", null)
                        .json()
                        .get("conditions")
                        .get(0)
                        .get("value")
                        .stringValue())
                .isEqualTo("1099");

        JsonNode again = importFile(file.toString(), "application/json", "").json();
        assertThat(again.get("created")).isEmpty();
        assertThat(again.get("unchanged")).hasSize(1_101);
    }

    /** A rule granting {@code deploy} on the GitOps target to the repositories of one owner. */
    private static Map<String, Object> deployRule(String name, String issuer, String ownerId) {
        return rule(
                name,
                issuer,
                "allow",
                List.of(condition("repository_owner_id", "equals", ownerId)),
                List.of("https://gitops.example.com"),
                List.of("deploy"));
    }

    private long storedRules(String prefix) {
        return jdbc.queryForObject("select count(*) from trust_rule where name like ?", Long.class, prefix + "-%");
    }

    private long revision() {
        return jdbc.queryForObject("select revision from config_revision where id = 1", Long.class);
    }

    @Test
    void pruningAnIssuerThatAKeptRuleUsesIsRefusedWithTheReason() {
        String issuer = unique("gitops-orphan");
        String rule = unique("gitops-orphan-rule");
        importFile(fileWith(issuer, rule, "4242").toString(), "application/json", "");
        ObjectNode everything = (ObjectNode) exportAs("application/json").json();
        ArrayNode keptIssuers = JSON.createArrayNode();
        everything.get("issuers").forEach(i -> {
            if (!i.get("name").stringValue().equals(issuer)) {
                keptIssuers.add(i);
            }
        });
        everything.set("issuers", keptIssuers);

        Response response = importFile(everything.toString(), "application/json", "?prune=true&dryRun=true");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().get("detail").stringValue())
                .contains("issuer '" + issuer + "' is not in the file", rule);
    }

    @Test
    void malformedFilesAreProblems() {
        assertThat(importFile("issuers: [", "application/yaml", "").status()).isEqualTo(400);
        assertThat(importFile("{\"issuers\": [], \"ruels\": []}", "application/json", "")
                        .json()
                        .get("field")
                        .stringValue())
                .isEqualTo("ruels");
        List<Map<String, Object>> twice = new ArrayList<>();
        twice.add(Map.of("name", "dup", "type", "github", "issuerUrl", ci.url() + "/dup1"));
        twice.add(Map.of("name", "dup", "type", "github", "issuerUrl", ci.url() + "/dup2"));
        assertThat(importFile(JSON.writeValueAsString(Map.of("issuers", twice)), "application/json", "")
                        .json()
                        .get("field")
                        .stringValue())
                .isEqualTo("issuers[1].name");
    }

    @Test
    void aMemberGivenTwiceIsRefusedNotTheLastOneKept() {
        // The export, then "rules": [] again: kept, the last one would have let prune delete every rule.
        String issuer = unique("gitops-twice");
        String rule = unique("gitops-twice-rule");
        importFile(fileWith(issuer, rule, "4242").toString(), "application/json", "");
        String export = exportAs("application/json").body().strip();
        String twice = export.substring(0, export.lastIndexOf('}')) + ", \"rules\": []}";

        Response json = importFile(twice, "application/json", "?prune=true&dryRun=true");
        assertThat(json.status()).as(json.body()).isEqualTo(400);
        assertThat(json.json().get("detail").stringValue()).contains("a member is given twice");
        Response yaml =
                importFile("issuers: []\nrules: []\nrules: []\n", "application/yaml", "?prune=true&dryRun=true");
        assertThat(yaml.status()).as(yaml.body()).isEqualTo(400);
        assertThat(admin("GET", "/admin/v1/rules/" + rule, null).status()).isEqualTo(200);
    }

    @Test
    void aNullEntryIsNamedNotAServerError() {
        for (String list : List.of("issuers", "rules")) {
            Response response = importFile("{\"" + list + "\": [null]}", "application/json", "");
            assertThat(response.status()).as(response.body()).isEqualTo(400);
            assertThat(response.json().get("field").stringValue()).isEqualTo(list + "[0]");
        }
    }

    @Test
    void malformedFilesAreExplainedInTheFilesTermsNotJavas() {
        for (String body :
                List.of("[]", "{\"extra\": 1}", "{", "{\"rules\": [{\"name\": \"x\", \"ttlSeconds\": 600.5}]}")) {
            Response response = importFile(body, "application/json", "");
            assertThat(response.status()).as(body).isEqualTo(400);
            assertThat(response.json().get("detail").stringValue())
                    .as(body)
                    .doesNotContain("dev.ferry", "class ", "JsonToken", "StreamReadFeature", "Cannot deserialize");
        }
    }

    @Test
    void theShippedExampleFileImportsAndUnquotedNumbersStillReadAsText() throws Exception {
        String example = Files.readString(Path.of("examples/gitops/ferry.yaml"));
        Response result = importFile(example, "application/yaml", "?dryRun=true");
        assertThat(result.status()).as(result.body()).isEqualTo(200);
        assertThat(result.json().get("created").toString()).contains("rule/app-deploy-production");

        // Strict reading refuses "true" for a boolean, but a YAML number where a condition wants text is the text.
        assertThat(example).contains("value: \"4242\"");
        Response unquoted =
                importFile(example.replace("value: \"4242\"", "value: 4242"), "application/yaml", "?dryRun=true");
        assertThat(unquoted.status()).as(unquoted.body()).isEqualTo(200);

        // A description written as a YAML block scalar ends in a line break, which is fine in free text.
        Response blockScalar = importFile(
                example.replaceFirst("description: (.*)", "description: |\n      $1"),
                "application/yaml",
                "?dryRun=true");
        assertThat(blockScalar.status()).as(blockScalar.body()).isEqualTo(200);
    }

    @Test
    void anonymousCallerCannotImport() {
        Response anonymous = send(HttpRequest.newBuilder(URI.create(baseUrl() + "/admin/v1/import"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build());
        assertThat(anonymous.status()).isEqualTo(401);
    }
}
