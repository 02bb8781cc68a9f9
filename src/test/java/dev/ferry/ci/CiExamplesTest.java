package dev.ferry.ci;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The pipelines and snippets a CI author copies (examples/github-actions, examples/gitlab-ci and the YAML in the
 * READMEs) use the action and the component as they are: only inputs they declare, every required one, values
 * their checks accept, and the permission or hidden job the exchange needs.
 */
class CiExamplesTest {

    private static final YAMLMapper YAML = YAMLMapper.builder().build();
    private static final Pattern YAML_BLOCK = Pattern.compile("(?s)```yaml\\n(.*?)```");
    private static final String ACTION_PATH = "/examples/github-action@";
    private static final String TEMPLATE_FILE = "examples/gitlab-component/templates/ferry-token.yml";

    private final GitHubAction action = new GitHubAction();
    private final GitLabComponent component = new GitLabComponent();

    @Test
    void theWorkflowExampleIsOneStepOfTheActionWithIdTokenPermission() throws IOException {
        JsonNode workflow = YAML.readTree(Files.readString(Path.of("examples/github-actions/deploy.yml")));

        assertThat(workflow.at("/permissions/id-token").asString()).isEqualTo("write");
        List<JsonNode> uses = actionSteps(workflow);
        assertThat(uses).hasSize(1);
        JsonNode deploy = workflow.at("/jobs/deploy/steps/1/run");
        assertThat(deploy.asString()).contains("Bearer $FERRY_ACCESS_TOKEN");
    }

    @Test
    void everyUseOfTheActionInTheDocsGivesDeclaredInputsAndTheRequiredOnes() throws IOException {
        List<JsonNode> steps = new ArrayList<>();
        for (JsonNode document : yamlOf(
                "examples/github-actions/deploy.yml",
                "examples/github-action/README.md",
                "examples/github-actions/README.md")) {
            steps.addAll(actionSteps(document));
        }
        assertThat(steps).hasSizeGreaterThanOrEqualTo(3);
        for (JsonNode step : steps) {
            List<String> given = step.get("with").propertyNames().stream().toList();
            assertThat(action.inputNames()).as("inputs of %s", step).containsAll(given);
            assertThat(given).contains("ferry-url");
            assertThat(given.contains("audience") ^ given.contains("resource"))
                    .as("audience or resource in %s", step)
                    .isTrue();
        }
    }

    @Test
    void everyIncludeOfTheComponentGivesInputsItAccepts() throws IOException {
        List<JsonNode> includes = new ArrayList<>();
        List<JsonNode> extending = new ArrayList<>();
        for (JsonNode document : yamlOf(
                "examples/gitlab-ci/.gitlab-ci.yml",
                "examples/gitlab-component/README.md",
                "examples/gitlab-ci/README.md")) {
            walk(document, node -> {
                if (TEMPLATE_FILE.equals(node.path("file").asString(""))) {
                    includes.add(node);
                }
                if (".ferry-token".equals(node.path("extends").asString(""))) {
                    extending.add(node);
                }
            });
        }
        assertThat(includes).hasSizeGreaterThanOrEqualTo(2);
        for (JsonNode include : includes) {
            java.util.Map<String, String> inputs = new java.util.LinkedHashMap<>();
            include.get("inputs")
                    .properties()
                    .forEach(e -> inputs.put(e.getKey(), e.getValue().asString()));
            // Validates names, mandatory inputs, regex and options as GitLab does when it creates the pipeline.
            assertThat(component.job(inputs).get("variables").get("FERRY_URL").asString())
                    .isEqualTo(inputs.get("ferry-url"));
            assertThat(inputs.containsKey("audience") ^ inputs.containsKey("resource"))
                    .isTrue();
        }
        assertThat(extending).hasSizeGreaterThanOrEqualTo(3);
        for (JsonNode job : extending) {
            JsonNode beforeScript = job.path("before_script");
            if (!beforeScript.isMissingNode()) {
                // A job's own before_script replaces the hidden job's: it must list the exchange.
                assertThat(beforeScript.toString()).as("%s", job).contains("[\".ferry-token\",\"before_script\"]");
            }
        }
    }

    @Test
    void everyScriptInTheExamplesIsAStringAsGitHubAndGitLabRequire() throws IOException {
        // A plain YAML scalar such as  - curl -H "Authorization: Bearer $T"  is a mapping, not a command.
        List<String> scripts = new ArrayList<>();
        for (JsonNode document : yamlOf(
                "examples/github-actions/deploy.yml",
                "examples/github-action/README.md",
                "examples/github-actions/README.md",
                "examples/gitlab-ci/.gitlab-ci.yml",
                "examples/gitlab-component/README.md",
                "examples/gitlab-ci/README.md")) {
            walk(
                    document,
                    node -> node.properties().forEach(e -> {
                        if (e.getKey().equals("run")) {
                            assertThat(e.getValue().isString())
                                    .as("run: %s", e.getValue())
                                    .isTrue();
                            scripts.add(e.getValue().asString());
                        }
                        if (List.of("script", "before_script", "after_script").contains(e.getKey())) {
                            e.getValue().forEach(line -> {
                                assertThat(line.isString() || (line.isArray() && line.size() == 2))
                                        .as("%s: %s", e.getKey(), line)
                                        .isTrue();
                                scripts.add(line.toString());
                            });
                        }
                    }));
        }
        assertThat(scripts).hasSizeGreaterThanOrEqualTo(6);
    }

    private List<JsonNode> actionSteps(JsonNode document) {
        List<JsonNode> steps = new ArrayList<>();
        walk(document, node -> {
            if (node.path("uses").asString("").contains(ACTION_PATH)) {
                steps.add(node);
            }
        });
        return steps;
    }

    /** The YAML files as they are, and every ```yaml block of the Markdown ones. */
    private static List<JsonNode> yamlOf(String... files) throws IOException {
        List<JsonNode> documents = new ArrayList<>();
        for (String file : files) {
            String text = Files.readString(Path.of(file));
            if (file.endsWith(".md")) {
                Matcher m = YAML_BLOCK.matcher(text);
                while (m.find()) {
                    documents.add(YAML.readTree(m.group(1)));
                }
            } else {
                documents.add(YAML.readTree(text));
            }
        }
        return documents;
    }

    private static void walk(JsonNode node, Consumer<JsonNode> visit) {
        if (node == null) {
            return;
        }
        if (node.isObject()) {
            visit.accept(node);
            node.properties().forEach(e -> walk(e.getValue(), visit));
        } else if (node.isArray()) {
            node.forEach(element -> walk(element, visit));
        }
    }
}
