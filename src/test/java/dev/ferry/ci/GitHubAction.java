package dev.ferry.ci;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The composite action of examples/github-action as GitHub runs it: inputs (with action.yml's defaults)
 * substituted into the step's {@code env}, the step's {@code run} in {@code bash --noprofile --norc -eo pipefail}
 * (GitHub's {@code shell: bash}), with GITHUB_ACTION_PATH, GITHUB_OUTPUT, GITHUB_ENV and GITHUB_PATH, and the action's
 * outputs read back through its {@code outputs.*.value} expressions.
 */
final class GitHubAction {

    private static final Pattern INPUT = Pattern.compile("\\$\\{\\{\\s*inputs\\.([A-Za-z0-9_-]+)\\s*}}");
    private static final Pattern STEP_OUTPUT =
            Pattern.compile("\\$\\{\\{\\s*steps\\.([A-Za-z0-9_-]+)\\.outputs\\.([A-Za-z0-9_-]+)\\s*}}");

    final JsonNode action;

    GitHubAction() {
        try {
            action = YAMLMapper.builder().build().readTree(Files.readString(Shell.ACTION_DIR.resolve("action.yml")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The input names action.yml declares, in order. */
    List<String> inputNames() {
        return action.get("inputs").propertyNames().stream().toList();
    }

    JsonNode step() {
        JsonNode steps = action.get("runs").get("steps");
        assertThat(steps.size()).as("one composite step").isEqualTo(1);
        return steps.get(0);
    }

    /**
     * Runs the action with {@code inputs} (names as in action.yml; the others take their defaults) and
     * {@code runnerEnv} (what the runner provides: ACTIONS_ID_TOKEN_REQUEST_URL, ...), in {@code dir}.
     */
    Result run(Map<String, String> inputs, Map<String, String> runnerEnv, Path dir) {
        inputs.keySet()
                .forEach(name -> assertThat(inputNames())
                        .as("action.yml declares input %s", name)
                        .contains(name));
        Map<String, String> env = new LinkedHashMap<>();
        step().get("env")
                .properties()
                .forEach(e -> env.put(e.getKey(), substitute(e.getValue().stringValue(), inputs)));
        try {
            Path work = Files.createDirectories(dir.resolve("run-" + System.nanoTime()));
            Path output = work.resolve("github_output");
            Path environment = work.resolve("github_env");
            Path path = work.resolve("github_path");
            Files.createFile(output);
            Files.createFile(environment);
            Files.createFile(path);
            Path script =
                    Files.writeString(work.resolve("step.sh"), step().get("run").stringValue());
            env.put("GITHUB_ACTIONS", "true");
            env.put("CI", "true");
            env.put("GITHUB_ACTION_PATH", Shell.ACTION_DIR.toAbsolutePath().toString());
            env.put("GITHUB_OUTPUT", output.toString());
            env.put("GITHUB_ENV", environment.toString());
            env.put("GITHUB_PATH", path.toString());
            env.put("RUNNER_TEMP", work.toString());
            env.putAll(runnerEnv);
            Shell.Run run = Shell.run(
                    List.of(
                            step().get("shell").stringValue(),
                            "--noprofile",
                            "--norc",
                            "-eo",
                            "pipefail",
                            script.toString()),
                    env,
                    work);
            Map<String, String> stepOutputs = Shell.githubFile(output);
            Map<String, String> outputs = new LinkedHashMap<>();
            action.get("outputs").properties().forEach(e -> {
                Matcher m = STEP_OUTPUT.matcher(e.getValue().get("value").stringValue());
                assertThat(m.matches())
                        .as("output %s is a step output", e.getKey())
                        .isTrue();
                assertThat(m.group(1)).isEqualTo(step().get("id").stringValue());
                if (stepOutputs.containsKey(m.group(2))) {
                    outputs.put(e.getKey(), stepOutputs.get(m.group(2)));
                }
            });
            return new Result(run, outputs, Shell.githubFile(environment), Files.readAllLines(path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code ${{ inputs.NAME }}}, the only expression action.yml's env may hold, with the given value or the default. */
    private String substitute(String text, Map<String, String> inputs) {
        Matcher m = INPUT.matcher(text);
        StringBuilder result = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            JsonNode declared = action.get("inputs").get(name);
            assertThat(declared).as("input %s is declared", name).isNotNull();
            String value = inputs.get(name);
            if (value == null) {
                assertThat(declared.path("required").asBoolean(false))
                        .as("required input %s given", name)
                        .isFalse();
                value = declared.path("default").asString("");
            }
            m.appendReplacement(result, Matcher.quoteReplacement(value));
        }
        m.appendTail(result);
        assertThat(result.toString())
                .as("only inputs.* expressions in the step's env")
                .doesNotContain("${{");
        return result.toString();
    }

    /**
     * A run, the action's outputs it set, what it wrote to GITHUB_ENV and the directories it added to GITHUB_PATH (which
     * GitHub puts in front of the PATH of the later steps, the last added first).
     */
    record Result(Shell.Run run, Map<String, String> outputs, Map<String, String> env, List<String> path) {

        /**
         * What a later step of the job runs with: the environment GITHUB_ENV set and the PATH GITHUB_PATH extended, as
         * {@link Shell#run} takes it.
         */
        Map<String, String> laterStepEnv() {
            Map<String, String> later = new LinkedHashMap<>(env);
            List<String> dirs = new ArrayList<>(path);
            Collections.reverse(dirs);
            dirs.add(System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
            later.put("PATH", String.join(File.pathSeparator, dirs));
            return later;
        }
    }
}
