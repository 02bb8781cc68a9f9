/**
 * What happened: every token exchange, issued or refused, recorded off the request's critical path
 * but never dropped. Never the token itself.
 */
package dev.ferry.audit;
