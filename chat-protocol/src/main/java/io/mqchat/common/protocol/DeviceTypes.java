package io.mqchat.common.protocol;

import java.util.List;

/** The device types known by default; deployments may configure others (see {@link Ids#isValidDeviceType}). */
public final class DeviceTypes {

    public static final List<String> DEFAULTS = List.of("phone", "tablet", "desktop", "web", "iot", "bot");

    private DeviceTypes() {
    }
}
