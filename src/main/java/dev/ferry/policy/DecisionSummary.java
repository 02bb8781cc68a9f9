package dev.ferry.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * What the audit log keeps of a {@code /token} decision: the rules the index looked at, each with
 * whether it matched and, if not, which of its conditions failed (by index), at most {@value
 * #MAX_BYTES} bytes of them; {@code omitted} counts the rest. No expected values (an {@code in} list
 * may hold a thousand) and no actual ones (the audited claims hold them): {@code POST
 * /admin/v1/evaluate} with the event's {@code exchangeId} rebuilds the full explanation from the
 * audited claims (docs/operator-guide.md, section 7). So a refusal costs the same to record whether the
 * issuer has ten rules or ten thousand.
 *
 * @param rules the rules looked at, in the order they were evaluated
 * @param omitted how many more were looked at than fit
 */
public record DecisionSummary(List<RuleOutcome> rules, int omitted) {

    /** Roughly how many bytes of JSON the kept rules may take. */
    static final int MAX_BYTES = 4096;

    /**
     * @param failed the indexes of the conditions that did not hold; empty when the rule matched
     */
    public record RuleOutcome(String rule, Effect effect, boolean enabled, boolean matched, List<Integer> failed) {}

    static DecisionSummary of(List<RuleResult> trace) {
        List<RuleOutcome> kept = new ArrayList<>();
        int bytes = 0;
        for (RuleResult result : trace) {
            List<Integer> failed = IntStream.range(0, result.conditions().size())
                    .filter(i -> !result.conditions().get(i).holds())
                    .boxed()
                    .toList();
            // {"rule":"","effect":"allow","enabled":true,"matched":false,"failed":[]}, and up to 3 digits and a comma
            // an index
            bytes += 72 + result.rule().length() + 4 * failed.size();
            if (bytes > MAX_BYTES) {
                break;
            }
            kept.add(new RuleOutcome(result.rule(), result.effect(), result.enabled(), result.matched(), failed));
        }
        return new DecisionSummary(List.copyOf(kept), trace.size() - kept.size());
    }
}
