/**
 * Trust rules: their definitions, compiling and indexing them, and {@link
 * dev.ferry.policy.PolicyEvaluator}, the one place that decides an exchange and says why.
 */
package dev.ferry.policy;
