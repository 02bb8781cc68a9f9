package dev.ferry.admin;

import dev.ferry.core.Stored;
import dev.ferry.federation.IssuerDefinition;
import dev.ferry.federation.IssuerService;
import dev.ferry.policy.RuleDefinition;
import dev.ferry.policy.RuleService;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.function.Consumer;
import java.util.function.Function;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * GitOps: {@code GET /admin/v1/export} writes every issuer and rule (YAML when {@code Accept} asks
 * for it, else JSON); {@code POST /admin/v1/import} applies such a file all-or-nothing,
 * {@code ?dryRun=true} answers the diff without applying it, {@code ?prune=true} deletes what the
 * file lacks.
 */
@RestController
class DefinitionSetController {

    private final IssuerService issuers;
    private final RuleService rules;
    private final DefinitionImporter importer;
    private final ImpactRequests impact;

    DefinitionSetController(
            IssuerService issuers, RuleService rules, DefinitionImporter importer, ImpactRequests impact) {
        this.issuers = issuers;
        this.rules = rules;
        this.importer = importer;
        this.impact = impact;
    }

    @GetMapping("/admin/v1/export")
    @Operation(
            summary = "Every issuer and rule, as a definitions file: YAML when Accept names yaml, else JSON",
            responses =
                    @ApiResponse(
                            responseCode = "200",
                            description = "the definitions file",
                            content = {
                                @Content(
                                        mediaType = MediaType.APPLICATION_JSON_VALUE,
                                        schema = @Schema(implementation = DefinitionSet.class)),
                                @Content(
                                        mediaType = "application/yaml",
                                        schema = @Schema(implementation = DefinitionSet.class))
                            }))
    ResponseEntity<String> export(@RequestHeader(name = HttpHeaders.ACCEPT, required = false) String accept) {
        DefinitionSet set = new DefinitionSet(
                issuers.list().stream()
                        .map(Stored::definition)
                        .sorted(Comparator.comparing(IssuerDefinition::name))
                        .toList(),
                rules.list().stream()
                        .map(Stored::definition)
                        .sorted(Comparator.comparing(RuleDefinition::name))
                        .toList());
        boolean yaml = DefinitionFormats.isYaml(accept);
        return ResponseEntity.ok()
                .contentType(yaml ? DefinitionFormats.YAML : MediaType.APPLICATION_JSON)
                .body(DefinitionFormats.write(set, yaml));
    }

    @PostMapping("/admin/v1/import")
    @Operation(
            summary =
                    "Create and update (and with prune, delete) issuers and rules to match a definitions file, all or nothing",
            requestBody =
                    @io.swagger.v3.oas.annotations.parameters.RequestBody(
                            required = true,
                            content = {
                                @Content(
                                        mediaType = MediaType.APPLICATION_JSON_VALUE,
                                        schema = @Schema(implementation = DefinitionSet.class)),
                                @Content(
                                        mediaType = "application/yaml",
                                        schema = @Schema(implementation = DefinitionSet.class))
                            }))
    ImportResult importDefinitions(
            InputStream body,
            @RequestHeader(name = HttpHeaders.CONTENT_TYPE, required = false) String contentType,
            @RequestParam(defaultValue = "false") boolean dryRun,
            @RequestParam(defaultValue = "false") boolean prune,
            @Parameter(description = IMPACT) @RequestParam(required = false) String impact,
            @Parameter(description = IMPACT_BUDGET) @RequestParam(required = false) String impactBudget,
            Authentication caller)
            throws IOException {
        return spooled(body, contentType, source -> {
            if (!this.impact.asked(impact, impactBudget, dryRun)) {
                return importer.apply(Principals.name(caller), source, prune, dryRun);
            }
            return withImpact(caller, source, prune, impact, impactBudget);
        });
    }

    /**
     * What importing a definitions file would change, and what it would have done to the audited
     * exchanges of the window: {@code POST /admin/v1/import?dryRun=true&impact=...}, open to
     * {@code ferry:read} (nothing is ever applied), so a pull request's job can show it.
     */
    @PostMapping("/admin/v1/impact")
    @Operation(
            summary =
                    "Dry run of an import with its impact: the audited exchanges of a window replayed against the file",
            requestBody =
                    @io.swagger.v3.oas.annotations.parameters.RequestBody(
                            required = true,
                            content = {
                                @Content(
                                        mediaType = MediaType.APPLICATION_JSON_VALUE,
                                        schema = @Schema(implementation = DefinitionSet.class)),
                                @Content(
                                        mediaType = "application/yaml",
                                        schema = @Schema(implementation = DefinitionSet.class))
                            }))
    ImportResult impact(
            InputStream body,
            @RequestHeader(name = HttpHeaders.CONTENT_TYPE, required = false) String contentType,
            @RequestParam(defaultValue = "false") boolean prune,
            @Parameter(description = IMPACT) @RequestParam(defaultValue = "true") String window,
            @Parameter(description = IMPACT_BUDGET) @RequestParam(required = false) String impactBudget,
            Authentication caller)
            throws IOException {
        return spooled(body, contentType, source -> withImpact(caller, source, prune, window, impactBudget));
    }

    /** A dry run of the file with the impact of what it would leave on the audited exchanges of a window. */
    private ImportResult withImpact(
            Authentication caller,
            Consumer<DefinitionFormats.Reader> source,
            boolean prune,
            String window,
            String impactBudget) {
        DefinitionImporter.Planned planned = importer.plan(Principals.name(caller), source, prune);
        return planned.result().withImpact(impact.replay(window, impactBudget, planned::proposal));
    }

    /**
     * Runs {@code use} on a definitions file sent as the request body. The body is received whole
     * first, so a slow upload never holds the definitions lock; it waits in a temporary file, not in
     * memory, and is read from there rule by rule.
     */
    private static ImportResult spooled(
            InputStream body, String contentType, Function<Consumer<DefinitionFormats.Reader>, ImportResult> use)
            throws IOException {
        Path file = Files.createTempFile("ferry-import-", ".definitions");
        try {
            Files.copy(body, file, StandardCopyOption.REPLACE_EXISTING);
            boolean yaml = DefinitionFormats.isYaml(contentType);
            return use.apply(reader -> read(file, yaml, reader));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    static final String IMPACT = "replay the audited exchanges of this window (ISO 8601, e.g. P7D; at most"
            + " ferry.audit.retention) against the proposed definitions; only with dryRun=true";
    static final String IMPACT_BUDGET =
            "how long the replay may take (ISO 8601, e.g. PT20S); then the answer is partial";

    /** Streams a definitions file to {@code reader}. */
    static void read(Path file, boolean yaml, DefinitionFormats.Reader reader) {
        try (InputStream in = Files.newInputStream(file)) {
            DefinitionFormats.read(in, yaml, reader);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
