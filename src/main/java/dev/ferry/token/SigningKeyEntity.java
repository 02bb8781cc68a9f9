package dev.ferry.token;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

@Entity
@Table(name = "signing_key")
class SigningKeyEntity {

    static final String ACTIVE = "active";
    static final String NEXT = "next";
    static final String RETIRED = "retired";

    @Id
    String kid;

    String algorithm;

    String state;

    @Column(name = "public_jwk")
    String publicJwk;

    @Column(name = "private_jwk_encrypted")
    String privateJwkEncrypted;

    @Column(name = "created_at")
    Instant createdAt;

    @Column(name = "activated_at")
    Instant activatedAt;

    @Column(name = "retired_at")
    Instant retiredAt;

    /** For a {@code next} key whose rotation an operator asked for: when it starts signing. */
    @Column(name = "signs_from")
    Instant signsFrom;
}
