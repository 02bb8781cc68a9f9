/**
 * Ferry's own tokens: signing keys (the only code that touches private keys), {@link
 * dev.ferry.token.TokenMinter} (the one place that mints), and what gateways read: the JWKS and the
 * server metadata.
 */
package dev.ferry.token;
