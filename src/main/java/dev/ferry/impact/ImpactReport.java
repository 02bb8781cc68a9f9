package dev.ferry.impact;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;

/**
 * What a proposed change would have done to the exchanges of a window of the audit log: each one
 * decided with today's rules and with the proposed ones, on its claims as audited.
 *
 * @param basis how the replay decided: on the claims as audited, no subject token re-verified
 * @param from the start of the window asked for
 * @param to the end of the window (when the replay started)
 * @param partial true when the time budget ran out first: only {@code [replayedFrom, to)} was replayed
 * @param replayedFrom how far back the replay got (it goes newest first); {@code from} when complete
 * @param replayMillis how long the replay took, pauses included (not the validation of the proposal)
 * @param exchangesReplayed exchanges decided again (those that got as far as a verified subject token)
 * @param exchangesChanged those whose outcome, scopes or lifetime the change would alter
 * @param decidedDifferentlyToday exchanges today's rules already decide otherwise than the audit log
 *     records (earlier changes, or a refusal that was not the rules'): not counted as changes
 * @param nowRefused granted today, refused with the change: grouped by issuer, subject, target and scope
 * @param nowGranted refused today, granted with the change
 * @param grantsChanged granted either way, with other scopes or another lifetime
 * @param unusedRules rules the change creates or modifies that matched no exchange of the window
 * @param ungroupedChanges changes beyond the groups listed (each list holds at most {@value ImpactTally#MAX_GROUPS})
 * @param summary one line per group, most exchanges first, for a job log
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ImpactReport(
        String basis,
        Instant from,
        Instant to,
        boolean partial,
        Instant replayedFrom,
        long replayMillis,
        long exchangesReplayed,
        long exchangesChanged,
        long decidedDifferentlyToday,
        List<Change> nowRefused,
        List<Change> nowGranted,
        List<Change> grantsChanged,
        List<String> unusedRules,
        long ungroupedChanges,
        List<String> summary) {

    static final String BASIS = "claims as audited; subject tokens are not re-verified (a token whose signature"
            + " or issuer would fail today is not re-judged); each exchange decided with today's rules and with"
            + " the proposed ones";

    /**
     * Exchanges of one issuer, subject, target and requested scope that the change affects alike.
     *
     * @param scope the scopes requested, space-separated; null when the requests named none
     * @param exchangeIds up to three of them, for {@code GET /admin/v1/audit/{id}}
     * @param error for {@code nowRefused}: the OAuth error {@code /token} would answer
     * @param reason for {@code nowRefused}: its description
     * @param grantingRules for {@code nowGranted}: the rules that would grant
     * @param scopesBefore for {@code grantsChanged}: the scopes issued today
     * @param lifetimeBeforeSeconds for {@code grantsChanged}: the lifetime today
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Change(
            String issuer,
            String subject,
            String target,
            String scope,
            long exchanges,
            Instant firstSeen,
            Instant lastSeen,
            List<String> exchangeIds,
            String error,
            String reason,
            List<String> grantingRules,
            List<String> scopesBefore,
            List<String> scopesAfter,
            Long lifetimeBeforeSeconds,
            Long lifetimeAfterSeconds) {}
}
