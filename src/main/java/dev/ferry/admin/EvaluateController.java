package dev.ferry.admin;

import dev.ferry.exchange.DryRun;
import dev.ferry.exchange.Evaluation;
import dev.ferry.exchange.EvaluationRequest;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /admin/v1/evaluate}: what {@code /token} would answer for a token, for claims, or for an
 * audited exchange, and why: the same verifier, evaluator and minter, nothing issued, nothing used up.
 */
@RestController
class EvaluateController {

    private final DryRun dryRun;

    EvaluateController(DryRun dryRun) {
        this.dryRun = dryRun;
    }

    @PostMapping("/admin/v1/evaluate")
    Evaluation evaluate(@RequestBody EvaluationRequest request) {
        return dryRun.evaluate(request);
    }
}
