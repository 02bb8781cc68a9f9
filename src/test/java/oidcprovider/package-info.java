/**
 * The Spring configuration of the OpenID provider the console's browser tests sign in with
 * ({@code dev.ferry.testing.TestOpenIdProvider}). It lives outside {@code dev.ferry} on purpose: Ferry's
 * test contexts scan {@code dev.ferry}, and an authorization server configured into them would break them.
 */
package oidcprovider;
