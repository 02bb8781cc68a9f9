package dev.ferry.ci;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The GitLab CI/CD component of examples/gitlab-component as GitLab would run a job that extends its hidden job:
 * inputs validated and interpolated ({@code $[[ inputs.NAME ]]}, GitLab's CI/CD inputs), the job's variables
 * expanded, an ID token minted for its {@code id_tokens} audience, and {@code before_script} followed by the job's
 * own script lines in one shell, with {@code -e} as GitLab's runner sets it.
 */
final class GitLabComponent {

    static final String HIDDEN_JOB = ".ferry-token";
    static final String ID_TOKEN_VARIABLE = "FERRY_ID_TOKEN";
    private static final Pattern INTERPOLATION = Pattern.compile("\\$\\[\\[\\s*inputs\\.([A-Za-z0-9_-]+)\\s*]]");
    private static final Pattern VARIABLE =
            Pattern.compile("\\$(?:\\{([A-Za-z_][A-Za-z0-9_]*)}|([A-Za-z_][A-Za-z0-9_]*))");

    final String text;
    final JsonNode spec;
    final JsonNode jobs;

    GitLabComponent() {
        try {
            text = Files.readString(Shell.GITLAB_TEMPLATE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String[] documents = text.split("(?m)^---$", 2);
        assertThat(documents).as("a spec header, ---, then the configuration").hasSize(2);
        YAMLMapper yaml = YAMLMapper.builder().build();
        spec = yaml.readTree(documents[0]).get("spec");
        jobs = yaml.readTree(documents[1]);
    }

    /** The input names the header declares, in order. */
    List<String> inputNames() {
        return spec.get("inputs").propertyNames().stream().toList();
    }

    JsonNode input(String name) {
        return spec.get("inputs").get(name);
    }

    /** The hidden job with {@code inputs} (the others at their defaults) interpolated, as GitLab validates them. */
    JsonNode job(Map<String, String> inputs) {
        Map<String, String> values = new LinkedHashMap<>();
        inputs.keySet()
                .forEach(name ->
                        assertThat(inputNames()).as("declared input %s", name).contains(name));
        for (String name : inputNames()) {
            JsonNode declared = input(name);
            String value = inputs.get(name);
            if (value == null) {
                assertThat(declared.has("default"))
                        .as("mandatory input %s given", name)
                        .isTrue();
                value = declared.get("default").asString();
            } else if (declared.has("regex")) {
                assertThat(value)
                        .as("input %s matches its regex", name)
                        .matches(declared.get("regex").asString());
            }
            if (declared.has("options")) {
                List<String> options = new ArrayList<>();
                declared.get("options").forEach(option -> options.add(option.asString()));
                assertThat(options).as("input %s is one of its options", name).contains(value);
            }
            values.put(name, value);
        }
        return interpolate(jobs.get(HIDDEN_JOB), values);
    }

    private static JsonNode interpolate(JsonNode node, Map<String, String> values) {
        if (node.isString()) {
            Matcher m = INTERPOLATION.matcher(node.asString());
            StringBuilder result = new StringBuilder();
            while (m.find()) {
                assertThat(values)
                        .as("interpolated input %s is declared", m.group(1))
                        .containsKey(m.group(1));
                m.appendReplacement(result, Matcher.quoteReplacement(values.get(m.group(1))));
            }
            m.appendTail(result);
            return JsonNodeFactory.instance.stringNode(result.toString());
        }
        if (node.isArray()) {
            var array = JsonNodeFactory.instance.arrayNode();
            node.forEach(element -> array.add(interpolate(element, values)));
            return array;
        }
        if (node.isObject()) {
            ObjectNode object = JsonNodeFactory.instance.objectNode();
            node.properties().forEach(e -> object.set(e.getKey(), interpolate(e.getValue(), values)));
            return object;
        }
        return node;
    }

    /** {@code $NAME} and {@code ${NAME}} of {@code variables} replaced, once, as GitLab expands job variables. */
    static String expand(String value, Map<String, String> variables) {
        Matcher m = VARIABLE.matcher(value);
        StringBuilder result = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2);
            m.appendReplacement(result, Matcher.quoteReplacement(variables.getOrDefault(name, m.group())));
        }
        m.appendTail(result);
        return result.toString();
    }

    /**
     * Runs a job that extends the hidden job: {@code before_script}, then {@code script}, in {@code shell}
     * ({@code bash} runs with {@code -eo pipefail}, others with {@code -e}, as GitLab's runner does), with the job's
     * variables, {@code FERRY_ID_TOKEN} minted by {@code mint} for the job's {@code aud} (or none when
     * {@code mint} is null), and {@code more} environment variables.
     */
    Job run(
            String shell,
            Map<String, String> inputs,
            Function<String, String> mint,
            List<String> script,
            Map<String, String> more,
            Path dir) {
        JsonNode job = job(inputs);
        Map<String, String> variables = new LinkedHashMap<>();
        job.get("variables")
                .properties()
                .forEach(e -> variables.put(e.getKey(), e.getValue().asString()));
        Map<String, String> env = new LinkedHashMap<>();
        variables.forEach((name, value) -> env.put(name, expand(value, variables)));
        env.put("CI", "true");
        env.put("GITLAB_CI", "true");
        String audience =
                expand(job.get("id_tokens").get(ID_TOKEN_VARIABLE).get("aud").asString(), variables);
        String idToken = null;
        if (mint != null) {
            idToken = mint.apply(audience);
            env.put(ID_TOKEN_VARIABLE, idToken);
        }
        env.putAll(more);
        List<String> lines = new ArrayList<>();
        job.get("before_script").forEach(line -> lines.add(line.asString()));
        lines.addAll(script);
        try {
            Path work = Files.createDirectories(dir.resolve("job-" + System.nanoTime()));
            Path file = Files.writeString(work.resolve("job.sh"), String.join("\n", lines) + "\n");
            List<String> command = shell.equals("bash")
                    ? List.of("bash", "--noprofile", "--norc", "-eo", "pipefail", file.toString())
                    : shell.equals("busybox")
                            ? List.of("busybox", "sh", "-e", file.toString())
                            : List.of(shell, "-e", file.toString());
            return new Job(Shell.run(command, env, work), audience, idToken);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A job's run, the audience its ID token was minted for, and that token. */
    record Job(Shell.Run run, String audience, String idToken) {}
}
