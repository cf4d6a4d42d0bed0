package io.mqchat.web;

import jakarta.validation.constraints.AssertTrue;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * HTTP limits shared by both services ({@code mqchat.http.*}). Validated at start-up: an invalid value
 * stops the app with a message naming the variable.
 *
 * @param maxBody the largest request body accepted ({@code MQCHAT_HTTP_MAXBODY}, e.g. {@code 1MB},
 *                {@code 512KB}); larger ones are answered 413. Our bodies are small JSON documents.
 */
@Validated
@ConfigurationProperties("mqchat.http")
public record HttpProperties(@DefaultValue("1MB") String maxBody) {

    static final DataSize MIN_BODY = DataSize.ofKilobytes(1);
    static final DataSize MAX_BODY = DataSize.ofMegabytes(64);

    /** The cap in bytes. */
    public long maxBodyBytes() {
        return DataSize.parse(maxBody.strip()).toBytes();
    }

    @AssertTrue(message = "must be a size between 1KB and 64MB such as 1MB or 512KB (MQCHAT_HTTP_MAXBODY)")
    public boolean isMaxBodyValid() {
        try {
            long bytes = maxBodyBytes();
            return bytes >= MIN_BODY.toBytes() && bytes <= MAX_BODY.toBytes();
        } catch (RuntimeException e) {
            return false;
        }
    }
}
