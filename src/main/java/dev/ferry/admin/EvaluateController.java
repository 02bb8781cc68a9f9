package dev.ferry.admin;

import dev.ferry.exchange.Evaluation;
import dev.ferry.exchange.EvaluationRequest;
import dev.ferry.exchange.TokenExchangeService;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /admin/v1/evaluate}: what {@code /token} would answer for a token (or for claims), and
 * why: the same verifier, evaluator and minter, nothing issued, nothing used up.
 */
@RestController
class EvaluateController {

    private final TokenExchangeService exchanges;

    EvaluateController(TokenExchangeService exchanges) {
        this.exchanges = exchanges;
    }

    @PostMapping("/admin/v1/evaluate")
    Evaluation evaluate(@RequestBody EvaluationRequest request) {
        return exchanges.evaluate(request);
    }
}
