package dev.ferry.token;

import java.time.Instant;

/** A minted access token, and the facts about it the response and the audit log need. */
public record IssuedToken(String accessToken, String tokenId, String scope, Instant issuedAt, Instant expiresAt) {}
