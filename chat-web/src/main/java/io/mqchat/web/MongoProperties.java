package io.mqchat.web;

import com.mongodb.ConnectionString;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;

/**
 * The MongoDB connection ({@code mqchat.mongo.*}), a part of each service's validated configuration record
 * (bound there with {@code @Valid}, so a bad value stops start-up with a message naming the variable). The
 * database is the URI's path ({@code mqchat} when it has none).
 */
public record MongoProperties(@NotNull @DefaultValue("mongodb://localhost:27017/mqchat") String uri,
                              @NotNull @DefaultValue("5s") Duration serverSelectionTimeout) {

    @AssertTrue(message = "must be a mongodb:// or mongodb+srv:// connection string (MQCHAT_MONGO_URI)")
    public boolean isUriValid() {
        if (uri == null) {
            return true; // reported by @NotNull
        }
        try {
            new ConnectionString(uri);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @AssertTrue(message = "must be positive (MQCHAT_MONGO_SERVER_SELECTION_TIMEOUT)")
    public boolean isServerSelectionTimeoutPositive() {
        return serverSelectionTimeout == null || serverSelectionTimeout.toMillis() > 0;
    }

    /** Never print the password of the URI (the services log their configuration). */
    @Override
    public String toString() {
        return "MongoProperties[uri=" + (uri == null ? null : uri.replaceAll("//[^@/]*@", "//***@"))
                + ", serverSelectionTimeout=" + serverSelectionTimeout + "]";
    }
}
