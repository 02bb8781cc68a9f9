/**
 * The shared core every feature package may use: what definitions (issuers, trust rules) have in
 * common (slug names, versions, the errors a write can have, stored definitions with their metadata),
 * how every replica learns that definitions changed ({@link dev.ferry.core.ConfigRevision}), claim
 * paths, the reserved claim names, and the database's clock.
 */
package dev.ferry.core;
