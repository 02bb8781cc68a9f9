package dev.ferry.impact;

import dev.ferry.audit.AuditedExchange;
import dev.ferry.policy.Decision;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Counts what a replay finds, in bounded memory: changes grouped by issuer, subject, target,
 * requested scope and what changes, at most {@value #MAX_GROUPS} groups a kind (the rest counted).
 */
final class ImpactTally {

    static final int MAX_GROUPS = 200;
    private static final int IDS_PER_GROUP = 3;

    private final Set<String> proposedRules;
    private final Set<String> matched = new HashSet<>();
    private final Map<Key, Group> nowRefused = new LinkedHashMap<>();
    private final Map<Key, Group> nowGranted = new LinkedHashMap<>();
    private final Map<Key, Group> grantsChanged = new LinkedHashMap<>();
    private long replayed;
    private long changed;
    private long ungrouped;
    private long differentToday;
    private Instant oldest;

    ImpactTally(Set<String> proposedRules) {
        this.proposedRules = proposedRules;
    }

    void add(AuditedExchange event, Decision today, Decision proposed) {
        replayed++;
        oldest = event.occurredAt();
        if (today instanceof Decision.Granted != "issued".equals(event.outcome())) {
            differentToday++;
        }
        proposed.matchedRules().stream().filter(proposedRules::contains).forEach(matched::add);
        if (today instanceof Decision.Granted && proposed instanceof Decision.Refused after) {
            group(
                            nowRefused,
                            event,
                            after.error() + " " + after.description(),
                            () -> new Detail(after.error(), after.description(), null, null, null, null, null))
                    .add(event);
        } else if (today instanceof Decision.Refused && proposed instanceof Decision.Granted after) {
            group(
                            nowGranted,
                            event,
                            String.join(" ", after.matchedRules()),
                            () -> new Detail(null, null, after.matchedRules(), null, null, null, null))
                    .add(event);
        } else if (today instanceof Decision.Granted before
                && proposed instanceof Decision.Granted after
                && (!new TreeSet<>(before.scopes()).equals(new TreeSet<>(after.scopes()))
                        || !before.lifetime().equals(after.lifetime()))) {
            group(
                            grantsChanged,
                            event,
                            before.scopes() + " " + after.scopes() + " " + before.lifetime() + " " + after.lifetime(),
                            () -> new Detail(
                                    null,
                                    null,
                                    null,
                                    before.scopes(),
                                    after.scopes(),
                                    before.lifetime().toSeconds(),
                                    after.lifetime().toSeconds()))
                    .add(event);
        } else {
            return;
        }
        changed++;
    }

    /** The group of this change, created if there is room; else a group that only counts. */
    private Group group(Map<Key, Group> groups, AuditedExchange event, String what, Supplier<Detail> detail) {
        Key key = new Key(
                event.issuer(),
                event.subject(),
                event.target(),
                event.requestedScopes() == null ? null : String.join(" ", event.requestedScopes()),
                what);
        Group group = groups.get(key);
        if (group == null) {
            if (groups.size() >= MAX_GROUPS) {
                ungrouped++;
                return Group.UNCOUNTED;
            }
            group = new Group(key, detail.get());
            groups.put(key, group);
        }
        return group;
    }

    ImpactReport report(Instant from, Instant to, boolean partial, long replayMillis) {
        List<ImpactReport.Change> refused = changes(nowRefused);
        List<ImpactReport.Change> granted = changes(nowGranted);
        List<ImpactReport.Change> grants = changes(grantsChanged);
        List<String> unused = proposedRules.stream()
                .filter(rule -> !matched.contains(rule))
                .sorted()
                .toList();
        return new ImpactReport(
                ImpactReport.BASIS,
                from,
                to,
                partial,
                partial && oldest != null ? oldest : from,
                replayMillis,
                replayed,
                changed,
                differentToday,
                refused,
                granted,
                grants,
                unused,
                ungrouped,
                summary(refused, granted, grants, unused, partial));
    }

    private static List<ImpactReport.Change> changes(Map<Key, Group> groups) {
        return groups.values().stream()
                .sorted(Comparator.comparingLong((Group g) -> g.exchanges).reversed())
                .map(Group::change)
                .toList();
    }

    private List<String> summary(
            List<ImpactReport.Change> refused,
            List<ImpactReport.Change> granted,
            List<ImpactReport.Change> grants,
            List<String> unused,
            boolean partial) {
        List<String> lines = new ArrayList<>();
        lines.add(replayed + " exchanges replayed" + (partial ? " (partial: the time budget ran out)" : "") + ", "
                + changed + " would change");
        refused.forEach(c -> lines.add("would refuse " + c.exchanges() + " " + runs(c) + " (" + c.error() + ")"));
        granted.forEach(c -> lines.add("would grant " + c.exchanges() + " " + runs(c) + " (rules "
                + String.join(", ", c.grantingRules()) + ")"));
        grants.forEach(c -> lines.add("would issue " + c.exchanges() + " " + runs(c) + " scopes " + c.scopesAfter()
                + " for " + c.lifetimeAfterSeconds() + "s (today " + c.scopesBefore() + " for "
                + c.lifetimeBeforeSeconds() + "s)"));
        unused.forEach(rule -> lines.add("rule " + rule + " would match no exchange of the window"));
        return lines;
    }

    private static String runs(ImpactReport.Change c) {
        return "runs of " + c.subject() + " for " + c.target() + (c.scope() == null ? "" : " scope '" + c.scope() + "'")
                + " (issuer " + c.issuer() + ")";
    }

    private record Key(String issuer, String subject, String target, String scope, String what) {}

    private record Detail(
            String error,
            String reason,
            List<String> grantingRules,
            List<String> scopesBefore,
            List<String> scopesAfter,
            Long lifetimeBefore,
            Long lifetimeAfter) {}

    private static final class Group {
        static final Group UNCOUNTED = new Group(null, null);

        private final Key key;
        private final Detail detail;
        private final List<String> ids = new ArrayList<>(IDS_PER_GROUP);
        private long exchanges;
        private Instant first;
        private Instant last;

        Group(Key key, Detail detail) {
            this.key = key;
            this.detail = detail;
        }

        void add(AuditedExchange event) {
            if (key == null) {
                return;
            }
            exchanges++;
            Instant at = event.occurredAt();
            first = first == null || at.isBefore(first) ? at : first;
            last = last == null || at.isAfter(last) ? at : last;
            if (ids.size() < IDS_PER_GROUP) {
                ids.add(event.exchangeId());
            }
        }

        ImpactReport.Change change() {
            return new ImpactReport.Change(
                    key.issuer(),
                    key.subject(),
                    key.target(),
                    key.scope(),
                    exchanges,
                    first,
                    last,
                    List.copyOf(ids),
                    detail.error(),
                    detail.reason(),
                    detail.grantingRules(),
                    detail.scopesBefore(),
                    detail.scopesAfter(),
                    detail.lifetimeBefore(),
                    detail.lifetimeAfter());
        }
    }
}
