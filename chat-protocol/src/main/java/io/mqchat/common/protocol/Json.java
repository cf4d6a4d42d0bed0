package io.mqchat.common.protocol;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** The one JSON mapper of the protocol: strict about duplicate keys and trailing tokens, bounded nesting. */
public final class Json {

    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            // numbers keep their value exactly (1e400 stays 1E+400, not Infinity), live and from history alike
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    /** Deepest nesting of arrays and objects accepted (the envelope counts as one level). */
    public static final int MAX_NESTING = 32;
    /** Longest number accepted, in characters. */
    public static final int MAX_NUMBER_LENGTH = 100;

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING)
                .maxNumberLength(MAX_NUMBER_LENGTH).build());
    }

    private Json() {
    }
}
