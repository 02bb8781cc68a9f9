package dev.ferry.impact;

import dev.ferry.audit.AuditQuery;
import dev.ferry.audit.AuditedExchange;
import dev.ferry.config.FerryProperties;
import dev.ferry.core.Stored;
import dev.ferry.federation.IssuerDefinition;
import dev.ferry.federation.IssuerService;
import dev.ferry.policy.Decision;
import dev.ferry.policy.DecisionRequest;
import dev.ferry.policy.PolicyEvaluator;
import dev.ferry.policy.ProposedRules;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.stereotype.Component;

/**
 * Replays the audited exchanges of a window, newest first, through {@link PolicyEvaluator} twice, with
 * today's rules (the live rule book, as {@code /token} decides now) and with a {@link Proposal}, and
 * tallies what differs. Decided on the claims as audited: no subject token is re-verified (Ferry keeps
 * none). Bounded: the rows are streamed, never held; the replay stops at its time budget and says how
 * far it got; it uses at most {@code ferry.audit.impact.cpu-share} of a core, sleeping in proportion to
 * the work done; and one replay runs at a time on each replica ({@link ImpactBusy} otherwise).
 */
@Component
public class ImpactReplay {

    private static final Logger log = LoggerFactory.getLogger(ImpactReplay.class);
    /** Exchanges decided between two looks at the clock (and pauses). */
    private static final int SLICE = 256;

    private final AuditQuery audit;
    private final PolicyEvaluator policy;
    private final IssuerService issuers;
    private final Clock clock;
    private final Duration defaultTtl;
    private final double cpuShare;
    private final Semaphore running = new Semaphore(1);
    private final Timer replays;

    ImpactReplay(
            AuditQuery audit,
            PolicyEvaluator policy,
            IssuerService issuers,
            Clock clock,
            FerryProperties properties,
            MeterRegistry registry) {
        this.audit = audit;
        this.policy = policy;
        this.issuers = issuers;
        this.clock = clock;
        this.defaultTtl = properties.token().defaultTtl();
        this.cpuShare = properties.audit().impact().cpuShare();
        this.replays = Timer.builder("ferry.impact.replay")
                .description("Time an impact replay took")
                .register(registry);
    }

    /** What {@code proposal} would have done to the exchanges of the last {@code window}, in at most {@code budget}. */
    public ImpactReport replay(Proposal proposal, Duration window, Duration budget) {
        if (!running.tryAcquire()) {
            throw new ImpactBusy();
        }
        long start = System.nanoTime();
        try {
            Instant to = clock.instant();
            Instant from = to.minus(window);
            Run run = new Run(proposal, start + budget.toNanos());
            audit.replay(from, to, run::decide);
            ImpactReport report =
                    run.tally.report(from, to, run.partial, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            log.info(
                    "Impact replay of {} exchanges over {} in {} ms: {} would change{}",
                    report.exchangesReplayed(),
                    window,
                    report.replayMillis(),
                    report.exchangesChanged(),
                    report.partial() ? " (partial: budget " + budget + " ran out)" : "");
            return report;
        } finally {
            replays.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            running.release();
        }
    }

    /** One replay's state: the proposed rule book, the tally, the budget and the pacing. */
    private final class Run {
        private final ProposedRules proposed;
        private final Set<String> proposedIssuers;
        private final Set<String> issuersToday;
        private final ImpactTally tally;
        private final long deadline;
        private long sliceStart = System.nanoTime();
        private int inSlice;
        private boolean partial;

        Run(Proposal proposal, long deadline) {
            this.proposed = ProposedRules.of(proposal.rules(), defaultTtl);
            this.proposedIssuers = proposal.enabledIssuers();
            this.issuersToday = enabled(issuers.list());
            this.tally = new ImpactTally(proposal.proposedRules());
            this.deadline = deadline;
        }

        /** Decides one exchange both ways; false to stop (the budget is spent). */
        boolean decide(AuditedExchange event) {
            if (++inSlice >= SLICE && !pace()) {
                partial = true;
                return false;
            }
            DecisionRequest request = new DecisionRequest(
                    event.issuer(), event.claims(), event.target(), event.requestedScopes(), event.dpopProof());
            Decision today = issuersToday.contains(event.issuer()) ? policy.decide(request) : disabled(event);
            Decision after =
                    proposedIssuers.contains(event.issuer()) ? policy.decide(proposed, request) : disabled(event);
            tally.add(event, today, after);
            return true;
        }

        /**
         * After a slice: sleeps so that the work takes at most its CPU share; false when the budget is
         * spent (or the thread is interrupted).
         */
        private boolean pace() {
            inSlice = 0;
            long now = System.nanoTime();
            long pause = cpuShare >= 1.0 ? 0 : (long) ((now - sliceStart) * (1 - cpuShare) / cpuShare);
            if (now + pause >= deadline) {
                return false;
            }
            if (pause > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(pause);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            sliceStart = System.nanoTime();
            return sliceStart < deadline;
        }
    }

    private static Decision disabled(AuditedExchange event) {
        return new Decision.Refused(
                OAuth2ErrorCodes.INVALID_REQUEST,
                "issuer '" + event.issuer() + "' is not configured or is disabled",
                List.of(),
                List.of());
    }

    private static Set<String> enabled(List<Stored<IssuerDefinition>> stored) {
        return stored.stream()
                .map(Stored::definition)
                .filter(i -> !Boolean.FALSE.equals(i.enabled()))
                .map(IssuerDefinition::name)
                .collect(Collectors.toSet());
    }
}
