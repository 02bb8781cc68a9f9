/**
 * What operators define (issuers, trust rules): the errors a definition can have, and how every
 * replica learns that definitions changed so it can refresh its in-memory copy.
 */
package dev.ferry.definition;
