/**
 * What a proposed change of issuers and rules would do, answered from history: the audit log's
 * exchanges replayed through the decision with today's rules and with the proposed ones
 * (docs/operator-guide.md, Know what a change does before making it). Bounded in time and CPU, one
 * replay at a time per replica.
 */
package dev.ferry.impact;
