package io.mqchat.common.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;
import java.util.UUID;

/**
 * Issues and verifies mqchat access tokens: HS256 JWTs with {@code sub} = user id, {@code dev} =
 * device type, {@code jti}, {@code iat}, {@code exp} and issuer {@code mqchat}. The chat-api issues
 * them at login; the broker and the REST services verify them locally with the shared secret.
 */
public final class AccessTokens {

    public static final String ISSUER = "mqchat";
    public static final int MIN_SECRET_BYTES = 32;
    private static final String DEVICE_CLAIM = "dev";

    private final byte[] secret;
    private final Clock clock;
    private final MACVerifier verifier;

    /** A verified token. */
    public record AccessToken(String userId, String deviceType, String tokenId, Instant issuedAt, Instant expiresAt) {
    }

    public AccessTokens(String secret) {
        this(secret, Clock.systemUTC());
    }

    public AccessTokens(String secret, Clock clock) {
        if (secret == null || secret.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("the JWT secret must be at least " + MIN_SECRET_BYTES
                    + " bytes long (set MQCHAT_JWT_SECRET)");
        }
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
        this.clock = clock;
        try {
            this.verifier = new MACVerifier(this.secret);
        } catch (JOSEException e) {
            throw new IllegalArgumentException("unusable JWT secret: " + e.getMessage(), e);
        }
    }

    /** Signs a token for one device of a user. */
    public String issue(String userId, String deviceType, Duration lifetime) {
        return issue(userId, deviceType, lifetime, UUID.randomUUID().toString());
    }

    /**
     * Signs a token with a given id: a service account's tokens all carry its credential generation, which is what
     * its current login in {@code DeviceLogins} names (so that one rotation revokes all of them).
     */
    public String issue(String userId, String deviceType, Duration lifetime, String tokenId) {
        Instant now = clock.instant();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .subject(userId)
                .claim(DEVICE_CLAIM, deviceType)
                .jwtID(tokenId)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(lifetime)))
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        try {
            jwt.sign(new MACSigner(secret));
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign token", e);
        }
        return jwt.serialize();
    }

    /**
     * Verifies signature, algorithm, issuer and expiry. Empty for anything that is not a valid, current
     * mqchat token; the caller answers with a generic refusal so that probing learns nothing.
     */
    public Optional<AccessToken> verify(String token) {
        if (token == null || token.isEmpty() || token.length() > 4096) {
            return Optional.empty();
        }
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm()) || !jwt.verify(verifier)) {
                return Optional.empty();
            }
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            Date exp = claims.getExpirationTime();
            Date iat = claims.getIssueTime();
            Object dev = claims.getClaim(DEVICE_CLAIM);
            if (!ISSUER.equals(claims.getIssuer()) || exp == null || iat == null || claims.getSubject() == null
                    || !(dev instanceof String) || !exp.toInstant().isAfter(clock.instant())) {
                return Optional.empty();
            }
            return Optional.of(new AccessToken(claims.getSubject(), (String) dev, claims.getJWTID(),
                    iat.toInstant(), exp.toInstant()));
        } catch (ParseException | JOSEException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
