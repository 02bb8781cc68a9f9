/**
 * A gateway that verifies DPoP-bound access tokens ({@link dpopgateway.GatewayConfiguration}): a Spring
 * Security resource server, as a team would write it, for {@code dev.ferry.DpopGatewayTest}. It lives
 * outside {@code dev.ferry} on purpose: Ferry's test contexts scan {@code dev.ferry}, and a resource
 * server configured into them would break them.
 */
package dpopgateway;
