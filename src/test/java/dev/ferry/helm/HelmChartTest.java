package dev.ferry.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Lints the Helm chart in helm/ferry and renders it with a real Helm (helm-java, in-process), then
 * checks the rendered objects as parsed YAML.
 */
class HelmChartTest {

    private static final Path CHART = Path.of("helm/ferry");
    private static final String RELEASE = "ferry-test";
    private static final String ENCRYPTION_KEY =
            Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII));

    @TempDir
    Path tmp;

    // ---------------------------------------------------------------------------------------------
    // helm lint

    @Test
    void lintPassesStrictWithTheChartsOwnValues() {
        // helm lint reports a failing `required` as information only, so the bare chart lints clean.
        assertLintClean(new Helm(CHART).lint().strict().call());
    }

    @Test
    void lintPassesStrictWithTheRequiredValues() throws IOException {
        assertLintClean(
                new Helm(chartWithValues(requiredValues())).lint().strict().call());
    }

    @Test
    void lintPassesStrictWithTheProductionValues() throws IOException {
        assertLintClean(new Helm(chartWithValues(load(CHART.resolve("values-production.yaml"))))
                .lint()
                .strict()
                .call());
    }

    // ---------------------------------------------------------------------------------------------
    // helm template, with the values an install needs at least

    @Test
    void defaultsRenderNoAutoscalerIngressOrServiceMonitor() {
        List<Map<String, Object>> objects = render(requiredValues());

        assertThat(objects)
                .extracting(o -> o.get("kind"))
                .containsExactlyInAnyOrder(
                        "ServiceAccount", "Secret", "ConfigMap", "Service", "Deployment", "PodDisruptionBudget");
        assertThat(objects).allSatisfy(o -> assertThat(metadata(o).get("name")).isEqualTo(RELEASE));
    }

    @Test
    void deploymentRunsTwoHardenedReplicas() {
        Map<String, Object> deployment = only(render(requiredValues()), "Deployment");
        Map<String, Object> spec = map(deployment, "spec");
        Map<String, Object> pod = map(spec, "template", "spec");
        Map<String, Object> container = ferryContainer(deployment);

        assertThat(spec.get("replicas")).isEqualTo(2);
        String appVersion = (String) load(CHART.resolve("Chart.yaml")).get("appVersion");
        assertThat(container.get("image")).isEqualTo("ferry:" + appVersion);

        assertThat(map(pod, "securityContext")).contains(entry("runAsNonRoot", true), entry("runAsUser", 10001));
        assertThat(map(pod, "securityContext", "seccompProfile")).containsEntry("type", "RuntimeDefault");
        Map<String, Object> securityContext = map(container, "securityContext");
        assertThat(securityContext)
                .contains(
                        entry("runAsNonRoot", true),
                        entry("runAsUser", 10001),
                        entry("readOnlyRootFilesystem", true),
                        entry("allowPrivilegeEscalation", false));
        assertThat(map(securityContext, "capabilities").get("drop")).isEqualTo(List.of("ALL"));
        assertThat(map(securityContext, "seccompProfile")).containsEntry("type", "RuntimeDefault");
        assertThat(pod.get("automountServiceAccountToken")).isEqualTo(false);

        // With a read-only root file system, /tmp (the JVM's temp dir) is the one writable place.
        assertThat(list(container, "volumeMounts")).contains(Map.of("name", "tmp", "mountPath", "/tmp"));
        assertThat(list(pod, "volumes")).anySatisfy(volume -> {
            assertThat(volume.get("name")).isEqualTo("tmp");
            assertThat(volume).containsKey("emptyDir");
        });

        // Graceful shutdown needs up to 30s after the pre-stop pause.
        assertThat((Integer) pod.get("terminationGracePeriodSeconds"))
                .as("pre-stop sleep + two 30 s shutdown phases")
                .isGreaterThanOrEqualTo(70);
        assertThat(map(container, "resources", "limits")).containsKey("memory");
    }

    @Test
    void probesUseTheActuatorHealthGroups() {
        Map<String, Object> container = ferryContainer(only(render(requiredValues()), "Deployment"));

        assertThat(list(container, "ports"))
                .containsExactly(Map.of("name", "http", "containerPort", 8080, "protocol", "TCP"));
        assertThat(map(container, "livenessProbe", "httpGet"))
                .isEqualTo(Map.of("path", "/actuator/health/liveness", "port", "http"));
        assertThat(map(container, "readinessProbe", "httpGet"))
                .isEqualTo(Map.of("path", "/actuator/health/readiness", "port", "http"));
        assertThat(map(container, "startupProbe", "httpGet"))
                .isEqualTo(Map.of("path", "/actuator/health/liveness", "port", "http"));
    }

    @Test
    void secretsReachTheContainerOnlyThroughSecretKeyRefs() {
        List<Map<String, Object>> objects = render(requiredValues());
        Map<String, Object> container = ferryContainer(only(objects, "Deployment"));

        assertThat(secretKeyRef(container, "FERRY_KEYS_ENCRYPTION_KEY"))
                .isEqualTo(Map.of("name", RELEASE, "key", "encryption-key"));
        assertThat(secretKeyRef(container, "FERRY_ADMIN_BOOTSTRAP_TOKEN"))
                .isEqualTo(Map.of("name", RELEASE, "key", "bootstrap-token", "optional", true));
        assertThat(secretKeyRef(container, "SPRING_DATASOURCE_PASSWORD"))
                .isEqualTo(Map.of("name", RELEASE, "key", "database-password"));

        // The chart-created Secret holds the values as given; nothing else carries them.
        Map<String, Object> secretData = map(only(objects, "Secret"), "data");
        assertThat(decode(secretData, "encryption-key")).isEqualTo(ENCRYPTION_KEY);
        assertThat(decode(secretData, "bootstrap-token")).isEqualTo("bootstrap-token-value");
        assertThat(decode(secretData, "database-password")).isEqualTo("database-password-value");
        String everythingButTheSecret = new Yaml()
                .dumpAll(objects.stream()
                        .filter(o -> !"Secret".equals(o.get("kind")))
                        .iterator());
        assertThat(everythingButTheSecret)
                .doesNotContain(ENCRYPTION_KEY, "bootstrap-token-value", "database-password-value");

        // Non-secret settings come from the ConfigMap.
        Map<String, Object> configMap = only(objects, "ConfigMap");
        assertThat(list(container, "envFrom")).contains(Map.of("configMapRef", Map.of("name", RELEASE)));
        assertThat(map(configMap, "data"))
                .contains(
                        entry("FERRY_ISSUER", "https://ferry.example.com"),
                        entry("SPRING_DATASOURCE_URL", "jdbc:postgresql://postgres.example.svc:5432/ferry"),
                        entry("SPRING_DATASOURCE_USERNAME", "ferry"),
                        entry("LOGGING_STRUCTURED_FORMAT_CONSOLE", "ecs"));
    }

    @Test
    void existingSecretsAreReferencedAndNoSecretIsCreated() {
        Map<String, Object> values = requiredValues();
        map(values, "secret").clear();
        map(values, "secret").put("existingSecret", "ferry-keys");
        map(values, "database").remove("password");
        map(values, "database")
                .putAll(Map.of(
                        "existingSecret",
                        "ferry-db",
                        "existingSecretPasswordKey",
                        "pw",
                        "existingSecretUsernameKey",
                        "user"));

        List<Map<String, Object>> objects = render(values);
        Map<String, Object> container = ferryContainer(only(objects, "Deployment"));

        assertThat(objects).extracting(o -> o.get("kind")).doesNotContain("Secret");
        assertThat(secretKeyRef(container, "FERRY_KEYS_ENCRYPTION_KEY"))
                .isEqualTo(Map.of("name", "ferry-keys", "key", "encryption-key"));
        assertThat(secretKeyRef(container, "FERRY_ADMIN_BOOTSTRAP_TOKEN"))
                .isEqualTo(Map.of("name", "ferry-keys", "key", "bootstrap-token", "optional", true));
        assertThat(secretKeyRef(container, "SPRING_DATASOURCE_PASSWORD"))
                .isEqualTo(Map.of("name", "ferry-db", "key", "pw"));
        assertThat(secretKeyRef(container, "SPRING_DATASOURCE_USERNAME"))
                .isEqualTo(Map.of("name", "ferry-db", "key", "user"));
        assertThat(map(only(objects, "ConfigMap"), "data")).doesNotContainKey("SPRING_DATASOURCE_USERNAME");
    }

    @Test
    void selectorsMatchThePods() {
        List<Map<String, Object>> objects = render(load(CHART.resolve("values-production.yaml")));
        Map<String, Object> deployment = only(objects, "Deployment");
        Map<String, Object> podLabels = map(deployment, "spec", "template", "metadata", "labels");
        Map<String, Object> service = only(objects, "Service");

        assertThat(podLabels).containsAllEntriesOf(map(deployment, "spec", "selector", "matchLabels"));
        assertThat(podLabels).containsAllEntriesOf(map(service, "spec", "selector"));
        assertThat(podLabels)
                .containsAllEntriesOf(map(only(objects, "PodDisruptionBudget"), "spec", "selector", "matchLabels"));
        assertThat(podLabels)
                .as("the PodMonitor (production's management port) selects the pods")
                .containsAllEntriesOf(map(only(objects, "PodMonitor"), "spec", "selector", "matchLabels"));
        assertThat(map(service, "metadata", "labels"))
                .as("without a management port, the ServiceMonitor selects the Service")
                .containsAllEntriesOf(map(
                        only(render(requiredValues(), "serviceMonitor.enabled", true), "ServiceMonitor"),
                        "spec",
                        "selector",
                        "matchLabels"));
        assertThat(list(service, "spec", "ports"))
                .extracting(p -> p.get("name"))
                .containsExactly("http");
    }

    // ---------------------------------------------------------------------------------------------
    // helm template, with values-production.yaml

    @Test
    void productionValuesRenderAutoscalerIngressServiceMonitorAndDisruptionBudget() {
        List<Map<String, Object>> objects = render(load(CHART.resolve("values-production.yaml")));

        assertThat(objects)
                .extracting(o -> o.get("kind"))
                .containsExactlyInAnyOrder(
                        "ServiceAccount",
                        "ConfigMap",
                        "Service",
                        "Deployment",
                        "PodDisruptionBudget",
                        "HorizontalPodAutoscaler",
                        "Ingress",
                        "PodMonitor");

        // The autoscaler owns the replica count.
        Map<String, Object> hpa = only(objects, "HorizontalPodAutoscaler");
        assertThat(hpa.get("apiVersion")).isEqualTo("autoscaling/v2");
        assertThat(map(hpa, "spec", "scaleTargetRef")).contains(entry("kind", "Deployment"), entry("name", RELEASE));
        assertThat(map(hpa, "spec")).contains(entry("minReplicas", 3), entry("maxReplicas", 10));
        assertThat(map(only(objects, "Deployment"), "spec")).doesNotContainKey("replicas");

        Map<String, Object> ingress = only(objects, "Ingress");
        assertThat(ingress.get("apiVersion")).isEqualTo("networking.k8s.io/v1");
        assertThat(map(ingress, "spec").get("ingressClassName")).isEqualTo("nginx");
        assertThat(list(ingress, "spec", "tls"))
                .containsExactly(Map.of("secretName", "ferry-tls", "hosts", List.of("ferry.example.com")));
        Map<String, Object> rule = list(ingress, "spec", "rules").get(0);
        assertThat(rule.get("host")).isEqualTo("ferry.example.com");
        assertThat(list(rule, "http", "paths").get(0).get("backend"))
                .isEqualTo(Map.of("service", Map.of("name", RELEASE, "port", Map.of("name", "http"))));

        Map<String, Object> podMonitor = only(objects, "PodMonitor");
        assertThat(podMonitor.get("apiVersion")).isEqualTo("monitoring.coreos.com/v1");
        assertThat(map(podMonitor, "metadata", "labels")).containsEntry("release", "kube-prometheus-stack");
        assertThat(list(podMonitor, "spec", "podMetricsEndpoints").get(0))
                .contains(entry("port", "management"), entry("path", "/actuator/prometheus"));

        Map<String, Object> pdb = only(objects, "PodDisruptionBudget");
        assertThat(pdb.get("apiVersion")).isEqualTo("policy/v1");
        assertThat(map(pdb, "spec").get("minAvailable")).isEqualTo(2);

        // Existing Secrets only; the issuer is the ingress host.
        Map<String, Object> container = ferryContainer(only(objects, "Deployment"));
        assertThat(secretKeyRef(container, "FERRY_KEYS_ENCRYPTION_KEY")).containsEntry("name", "ferry");
        assertThat(secretKeyRef(container, "SPRING_DATASOURCE_PASSWORD")).containsEntry("name", "ferry-db");
        assertThat(map(only(objects, "ConfigMap"), "data")).containsEntry("FERRY_ISSUER", "https://ferry.example.com");
    }

    @Test
    void productionValuesKeepActuatorOffTheServiceAndSwaggerOff() {
        List<Map<String, Object>> objects = render(load(CHART.resolve("values-production.yaml")));

        Map<String, Object> container = ferryContainer(only(objects, "Deployment"));
        assertThat(list(container, "ports"))
                .containsExactly(
                        Map.of("name", "http", "containerPort", 8080, "protocol", "TCP"),
                        Map.of("name", "management", "containerPort", 9090, "protocol", "TCP"));
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            assertThat(map(container, probe, "httpGet")).as(probe).containsEntry("port", "management");
        }
        assertThat(list(only(objects, "Service"), "spec", "ports"))
                .as("the Service, and so the Ingress, reaches the API port only")
                .extracting(port -> port.get("targetPort"))
                .containsExactly("http");
        assertThat(map(only(objects, "ConfigMap"), "data"))
                .containsEntry("MANAGEMENT_SERVER_PORT", "9090")
                .containsEntry("SPRINGDOC_APIDOCS_ENABLED", "false")
                .containsEntry("SPRINGDOC_SWAGGERUI_ENABLED", "false");
    }

    @Test
    void withoutAManagementPortActuatorStaysOnTheApiPortAndAServiceMonitorScrapesIt() {
        List<Map<String, Object>> objects = render(requiredValues(), "serviceMonitor.enabled", true);

        assertThat(map(only(objects, "ConfigMap"), "data")).doesNotContainKey("MANAGEMENT_SERVER_PORT");
        assertThat(list(only(objects, "ServiceMonitor"), "spec", "endpoints").get(0))
                .contains(entry("port", "http"), entry("path", "/actuator/prometheus"));
    }

    // ---------------------------------------------------------------------------------------------
    // the disruption budget rule

    @ParameterizedTest(name = "replicaCount={0}, autoscaling={1} (minReplicas={2}): budget {3}")
    @CsvSource({"1, false, 2, false", "2, false, 2, true", "3, false, 2, true", "1, true, 1, false", "1, true, 2, true"
    })
    void aDisruptionBudgetOnlyWithMoreThanOneReplica(
            int replicaCount, boolean autoscaling, int minReplicas, boolean budget) {
        List<Map<String, Object>> objects = render(
                requiredValues(),
                "replicaCount",
                replicaCount,
                "autoscaling.enabled",
                autoscaling,
                "autoscaling.minReplicas",
                minReplicas);

        assertThat(objects.stream().anyMatch(o -> "PodDisruptionBudget".equals(o.get("kind"))))
                .isEqualTo(budget);
    }

    // ---------------------------------------------------------------------------------------------
    // the bootstrap file

    @Test
    void aBootstrapFileIsMountedFromAChartCreatedConfigMap() {
        Map<String, Object> values = requiredValues();
        String definitions = "issuers:\n  - name: github\n    type: github\n";
        map(values, "ferry").put("bootstrapFile", Map.of("content", definitions));

        List<Map<String, Object>> objects = render(values);
        Map<String, Object> deployment = only(objects, "Deployment");
        Map<String, Object> container = ferryContainer(deployment);

        Map<String, Object> configMap = objects.stream()
                .filter(o -> "ConfigMap".equals(o.get("kind"))
                        && (RELEASE + "-bootstrap").equals(metadata(o).get("name")))
                .findFirst()
                .orElseThrow();
        assertThat(map(configMap, "data")).isEqualTo(Map.of("ferry.yaml", definitions));
        assertThat(env(container, "FERRY_BOOTSTRAP_FILE").get("value")).isEqualTo("/etc/ferry/bootstrap/ferry.yaml");
        assertThat(list(container, "volumeMounts"))
                .contains(Map.of("name", "bootstrap", "mountPath", "/etc/ferry/bootstrap", "readOnly", true));
        assertThat(list(deployment, "spec", "template", "spec", "volumes"))
                .contains(Map.of(
                        "name",
                        "bootstrap",
                        "configMap",
                        Map.of(
                                "name",
                                RELEASE + "-bootstrap",
                                "items",
                                List.of(Map.of("key", "ferry.yaml", "path", "ferry.yaml")))));
        // Ferry reads the file at start only: a change rolls the pods.
        assertThat(map(deployment, "spec", "template", "metadata", "annotations"))
                .containsKey("checksum/bootstrap");
    }

    @Test
    void aBootstrapFileMayComeFromAnExistingConfigMap() {
        Map<String, Object> values = requiredValues();
        map(values, "ferry")
                .put("bootstrapFile", Map.of("existingConfigMap", "ferry-definitions", "key", "definitions.yml"));

        List<Map<String, Object>> objects = render(values);
        Map<String, Object> deployment = only(objects, "Deployment");

        assertThat(objects).filteredOn(o -> "ConfigMap".equals(o.get("kind"))).hasSize(1);
        assertThat(env(ferryContainer(deployment), "FERRY_BOOTSTRAP_FILE").get("value"))
                .isEqualTo("/etc/ferry/bootstrap/definitions.yml");
        assertThat(list(deployment, "spec", "template", "spec", "volumes"))
                .contains(Map.of(
                        "name",
                        "bootstrap",
                        "configMap",
                        Map.of(
                                "name",
                                "ferry-definitions",
                                "items",
                                List.of(Map.of("key", "definitions.yml", "path", "definitions.yml")))));
    }

    @Test
    void withoutABootstrapFileNothingIsMounted() {
        Map<String, Object> container = ferryContainer(only(render(requiredValues()), "Deployment"));

        assertThat(list(container, "env")).extracting(e -> e.get("name")).doesNotContain("FERRY_BOOTSTRAP_FILE");
        assertThat(list(container, "volumeMounts"))
                .extracting(m -> m.get("name"))
                .containsExactly("tmp");
    }

    // ---------------------------------------------------------------------------------------------
    // required and invalid values

    @ParameterizedTest(name = "without {0}")
    @CsvSource({
        "ferry.issuer, ferry.issuer is required",
        "database.host, database.host is required (or database.url)",
        "database.password, database.password is required unless database.existingSecret",
        "secret.encryptionKey, secret.encryptionKey is required unless secret.existingSecret"
    })
    void aMissingRequiredValueFailsWithAClearMessage(String path, String message) {
        Map<String, Object> values = requiredValues();
        String[] keys = path.split("\\.");
        map(values, keys[0]).remove(keys[1]);

        assertThatThrownBy(() -> render(values)).hasMessageContaining(message);
    }

    @Test
    void anIssuerWithoutSchemeIsRefused() {
        Map<String, Object> values = requiredValues();
        map(values, "ferry").put("issuer", "ferry.example.com");

        assertThatThrownBy(() -> render(values))
                .hasMessageContaining(
                        "ferry.issuer must be an absolute http(s) URL such as https://ferry.example.com, not 'ferry.example.com'");
    }

    @Test
    void anEncryptionKeyOfTheWrongLengthIsRefused() {
        Map<String, Object> values = requiredValues();
        map(values, "secret").put("encryptionKey", Base64.getEncoder().encodeToString(new byte[16]));

        assertThatThrownBy(() -> render(values))
                .hasMessageContaining("secret.encryptionKey must be base64 of exactly 32 bytes");
    }

    @ParameterizedTest
    @ValueSource(strings = {"secret", "database"})
    void anExistingSecretNamedLikeTheChartsOwnIsRefused(String existing) {
        // The chart names the Secret it creates (for the half left to it) after the release: an
        // existing Secret of that name would clash with it at install time.
        Map<String, Object> values = requiredValues();
        map(values, existing).put("existingSecret", RELEASE);

        assertThatThrownBy(() -> render(values))
                .hasMessageContaining(
                        "secret.existingSecret and database.existingSecret must not be \"" + RELEASE + "\"");

        map(values, existing).put("existingSecret", RELEASE + "-own");
        assertThat(metadata(only(render(values), "Secret")).get("name")).isEqualTo(RELEASE);
    }

    @Test
    void aCompleteDatabaseUrlReplacesHostAndPort() {
        Map<String, Object> values = requiredValues();
        map(values, "database").remove("host");
        map(values, "database").put("url", "jdbc:postgresql://db-a:5432,db-b:5432/ferry?targetServerType=primary");

        assertThat(map(only(render(values), "ConfigMap"), "data"))
                .containsEntry(
                        "SPRING_DATASOURCE_URL",
                        "jdbc:postgresql://db-a:5432,db-b:5432/ferry?targetServerType=primary");
    }

    // ---------------------------------------------------------------------------------------------
    // helpers

    /** The values an install must give at least: issuer, database, and the secrets inline. */
    private static Map<String, Object> requiredValues() {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("ferry", new LinkedHashMap<>(Map.of("issuer", "https://ferry.example.com")));
        values.put(
                "database",
                new LinkedHashMap<>(Map.of("host", "postgres.example.svc", "password", "database-password-value")));
        values.put(
                "secret",
                new LinkedHashMap<>(
                        Map.of("encryptionKey", ENCRYPTION_KEY, "bootstrapToken", "bootstrap-token-value")));
        return values;
    }

    /** helm template with these values (and --set pairs), parsed into one map per object. */
    private List<Map<String, Object>> render(Map<String, Object> values, Object... sets) {
        TemplateCommand template = new Helm(CHART)
                .template()
                .withName(RELEASE)
                .withNamespace("ferry")
                .withValuesFile(write(values));
        for (int i = 0; i < sets.length; i += 2) {
            template = template.set((String) sets[i], sets[i + 1]);
        }
        List<Map<String, Object>> objects = new ArrayList<>();
        for (Object document : new Yaml().loadAll(template.call())) {
            if (document != null) {
                objects.add(cast(document));
            }
        }
        return objects;
    }

    /**
     * helm lint takes no values of its own: a copy of the chart whose values.yaml is the chart's,
     * overridden by these (deep-merged, as helm merges values files).
     */
    private Path chartWithValues(Map<String, Object> overrides) throws IOException {
        Path copy = Files.createTempDirectory(tmp, "chart").resolve("ferry");
        try (Stream<Path> files = Files.walk(CHART)) {
            for (Path source : (Iterable<Path>) files::iterator) {
                Path target = copy.resolve(CHART.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
        Map<String, Object> values = merge(load(CHART.resolve("values.yaml")), overrides);
        Files.writeString(copy.resolve("values.yaml"), dump(values));
        return copy;
    }

    private static Map<String, Object> merge(Map<String, Object> base, Map<String, Object> overrides) {
        overrides.forEach((key, value) -> {
            if (value instanceof Map<?, ?> && base.get(key) instanceof Map<?, ?>) {
                merge(cast(base.get(key)), cast(value));
            } else {
                base.put(key, value);
            }
        });
        return base;
    }

    private static void assertLintClean(LintResult result) {
        assertThat(result.isFailed())
                .as("helm lint failed: %s", result.getMessages())
                .isFalse();
        assertThat(result.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
    }

    private Path write(Map<String, Object> values) {
        try {
            Path file = Files.createTempFile(tmp, "values", ".yaml");
            Files.writeString(file, dump(values));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String dump(Map<String, Object> values) {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        return new Yaml(options).dump(values);
    }

    private static Map<String, Object> load(Path file) {
        try {
            return cast(new Yaml().load(Files.readString(file)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, Object> only(List<Map<String, Object>> objects, String kind) {
        List<Map<String, Object>> ofKind =
                objects.stream().filter(o -> kind.equals(o.get("kind"))).toList();
        assertThat(ofKind).as("objects of kind %s", kind).hasSize(1);
        return ofKind.get(0);
    }

    private static Map<String, Object> ferryContainer(Map<String, Object> deployment) {
        List<Map<String, Object>> containers = list(deployment, "spec", "template", "spec", "containers");
        assertThat(containers).extracting(c -> c.get("name")).containsExactly("ferry");
        return containers.get(0);
    }

    private static Map<String, Object> env(Map<String, Object> container, String name) {
        return list(container, "env").stream()
                .filter(e -> name.equals(e.get("name")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no environment variable " + name));
    }

    private static Map<String, Object> secretKeyRef(Map<String, Object> container, String name) {
        Map<String, Object> variable = env(container, name);
        assertThat(variable)
                .as("%s comes from a Secret, not a literal value", name)
                .doesNotContainKey("value");
        return map(variable, "valueFrom", "secretKeyRef");
    }

    private static String decode(Map<String, Object> secretData, String key) {
        return new String(Base64.getDecoder().decode((String) secretData.get(key)), StandardCharsets.UTF_8);
    }

    private static Map<String, Object> metadata(Map<String, Object> object) {
        return map(object, "metadata");
    }

    private static Map<String, Object> map(Map<String, Object> object, String... path) {
        Object value = object;
        for (String key : path) {
            assertThat(value).as("parent of %s", key).isInstanceOf(Map.class);
            value = ((Map<?, ?>) value).get(key);
            assertThat(value).as("%s in %s", key, String.join(".", path)).isNotNull();
        }
        assertThat(value).isInstanceOf(Map.class);
        return cast(value);
    }

    private static List<Map<String, Object>> list(Map<String, Object> object, String... path) {
        String[] parent = Arrays.copyOf(path, path.length - 1);
        Object value = (parent.length == 0 ? object : map(object, parent)).get(path[path.length - 1]);
        assertThat(value).as(String.join(".", path)).isInstanceOf(List.class);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> list = (List<Map<String, Object>>) value;
        return list;
    }

    @SuppressWarnings("unchecked")
    private static <T> T cast(Object value) {
        return (T) value;
    }
}
