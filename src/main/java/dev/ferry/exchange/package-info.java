/**
 * {@code POST /token} (RFC 8693): parsing the request, running verify → decide → mint → audit, and
 * writing the RFC 6749 §5 response or error.
 */
package dev.ferry.exchange;
