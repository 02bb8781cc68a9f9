package dev.ferry.ci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the CI scripts of examples/ as a runner would: a real shell process with only the
 * environment a runner gives it, its output captured. Tests of them skip, visibly, where a shell,
 * curl or jq is missing.
 */
final class Shell {

    static final Path ACTION_DIR = Path.of("examples/github-action");
    static final Path SCRIPT = ACTION_DIR.resolve("ferry-token.sh");
    static final Path GITLAB_TEMPLATE = Path.of("examples/gitlab-component/templates/ferry-token.yml");
    private static final Duration LIMIT = Duration.ofSeconds(90);

    private Shell() {}

    /** Skips the calling test unless every one of {@code programs} is on the PATH. */
    static void assumeInstalled(String... programs) {
        for (String program : programs) {
            assumeThat(installed(program))
                    .as("%s is not installed: the CI script tests that need it are skipped", program)
                    .isTrue();
        }
    }

    static boolean installed(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Runs {@code command} in {@code dir} with {@code env} plus PATH, HOME and a TMPDIR of its own:
     * nothing else of this JVM's environment (a developer's GITHUB_* or CI variables stay out).
     */
    static Run run(List<String> command, Map<String, String> env, Path dir) {
        try {
            Path tmp = Files.createDirectories(dir.resolve("tmp"));
            Path out = Files.createTempFile(dir, "stdout", ".txt");
            Path err = Files.createTempFile(dir, "stderr", ".txt");
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(dir.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            Map<String, String> environment = builder.environment();
            environment.clear();
            environment.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
            environment.put("HOME", dir.toString());
            environment.put("TMPDIR", tmp.toString());
            environment.put("LC_ALL", "C");
            environment.putAll(env);
            long start = System.nanoTime();
            Process process = builder.start();
            if (!process.waitFor(LIMIT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(command + " still ran after " + LIMIT);
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            return new Run(
                    process.exitValue(),
                    Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8),
                    took);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static int freePort() {
        return dev.ferry.testing.TestPorts.unused();
    }

    /** Reads a file of GitHub's {@code name=value} / {@code name<<DELIMITER} format (GITHUB_OUTPUT, GITHUB_ENV). */
    static Map<String, String> githubFile(Path file) {
        Map<String, String> values = new LinkedHashMap<>();
        List<String> lines;
        try {
            lines = Files.exists(file) ? Files.readAllLines(file) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int heredoc = line.indexOf("<<");
            int equals = line.indexOf('=');
            if (heredoc > 0 && (equals < 0 || heredoc < equals)) {
                String delimiter = line.substring(heredoc + 2);
                StringBuilder value = new StringBuilder();
                int j = i + 1;
                for (; !lines.get(j).equals(delimiter); j++) {
                    value.append(value.isEmpty() ? "" : "\n").append(lines.get(j));
                }
                values.put(line.substring(0, heredoc), value.toString());
                i = j;
            } else if (equals > 0) {
                values.put(line.substring(0, equals), line.substring(equals + 1));
            } else {
                throw new AssertionError("not a line of a GitHub file command: " + line);
            }
        }
        return values;
    }

    /** What a script run printed, how it ended and how long it took. */
    record Run(int exitCode, String stdout, String stderr, Duration took) {

        String output() {
            return stdout + stderr;
        }

        List<String> stdoutLines() {
            return stdout.lines().toList();
        }

        /**
         * No secret (nor the signature part of one that is a JWT, which alone would let a reader
         * forge nothing but shows a leak) appears anywhere in the output, except on a line that is
         * exactly {@code ::add-mask::<secret>} when {@code maskLinesAllowed}: that line is how GitHub
         * learns what to mask, and its log never shows it.
         */
        void assertLeaksNone(Collection<String> secrets, boolean maskLinesAllowed) {
            for (String secret : secrets) {
                String[] parts = secret.split("\\.");
                String signature = parts.length == 3 ? parts[2] : secret;
                for (String line : output().lines().toList()) {
                    if (maskLinesAllowed && line.equals("::add-mask::" + secret)) {
                        continue;
                    }
                    assertThat(line)
                            .as("a line of the script's output shows a secret")
                            .doesNotContain(secret)
                            .doesNotContain(signature);
                }
            }
        }

        @Override
        public String toString() {
            return "exit " + exitCode + " after " + took.toMillis() + " ms\n--- stdout\n" + stdout + "--- stderr\n"
                    + stderr;
        }
    }
}
