package dev.ferry.admin;

import dev.ferry.policy.RuleDefinition;
import dev.ferry.policy.RuleService;
import java.net.URI;
import java.util.List;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code /admin/v1/rules}: the trust rules that decide exchanges. */
@RestController
@RequestMapping("/admin/v1/rules")
class RuleController {

    private final RuleService rules;

    RuleController(RuleService rules) {
        this.rules = rules;
    }

    @GetMapping
    List<RuleResponse> list() {
        return rules.list().stream().map(RuleResponse::of).toList();
    }

    @GetMapping("/{name}")
    RuleResponse get(@PathVariable String name) {
        return RuleResponse.of(rules.get(name));
    }

    @PostMapping
    ResponseEntity<RuleResponse> create(@RequestBody RuleDefinition definition) {
        RuleResponse created = RuleResponse.of(rules.create(definition));
        return ResponseEntity.created(URI.create("/admin/v1/rules/" + created.name())).body(created);
    }

    @PutMapping("/{name}")
    RuleResponse replace(@PathVariable String name, @RequestBody RuleDefinition definition) {
        return RuleResponse.of(rules.replace(name, definition));
    }

    @DeleteMapping("/{name}")
    ResponseEntity<Void> delete(@PathVariable String name) {
        rules.delete(name);
        return ResponseEntity.noContent().build();
    }
}
