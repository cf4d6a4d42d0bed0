package io.mqchat.common.protocol;

import java.util.List;

/** The device types known by default; deployments may configure others (see {@link Ids#isValidDeviceType}). */
public final class DeviceTypes {

    public static final List<String> DEFAULTS = List.of("phone", "tablet", "desktop", "web", "iot", "bot");
    /**
     * The device claim of a service account's token (reserved: never a configured device type). Its connections
     * use client ids {@code {serviceId}:{instance}} with any instance name, several at once.
     */
    public static final String SERVICE = "service";

    private DeviceTypes() {
    }
}
