package io.mqchat.api.devices;

import io.mqchat.common.auth.AccessTokens;
import io.mqchat.web.BearerTokenInterceptor;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;

/** The caller's own devices: list them, log one out, log this one out. */
@RestController
public class DeviceController {

    private final DeviceSessions devices;

    public DeviceController(DeviceSessions devices) {
        this.devices = devices;
    }

    @Operation(summary = "My devices", description = "Each device type that is logged in or was seen: login "
            + "time, token expiry, online now, online since, last seen", security = @SecurityRequirement(name = "bearer"))
    @GetMapping("/api/v1/devices")
    public List<DeviceSessions.DeviceView> list(
            @RequestAttribute(BearerTokenInterceptor.ATTRIBUTE) AccessTokens.AccessToken caller) {
        return devices.list(caller.userId());
    }

    @Operation(summary = "Log a device out", description = "Revokes its token and disconnects it; 204, or 404 "
            + "if that device type is not logged in", security = @SecurityRequirement(name = "bearer"))
    @DeleteMapping("/api/v1/devices/{deviceType}")
    public ResponseEntity<Void> logout(@PathVariable String deviceType,
                                       @RequestAttribute(BearerTokenInterceptor.ATTRIBUTE) AccessTokens.AccessToken caller) {
        devices.logoutDevice(caller, deviceType);
        return ResponseEntity.noContent().build();
    }

    @Operation(summary = "Log this device out", description = "Revokes the token used for this call and "
            + "disconnects the device's MQTT connection; 204", security = @SecurityRequirement(name = "bearer"))
    @PostMapping("/api/v1/auth/logout")
    public ResponseEntity<Void> logoutSelf(
            @RequestAttribute(BearerTokenInterceptor.ATTRIBUTE) AccessTokens.AccessToken caller) {
        devices.logout(caller.userId(), caller.deviceType(), "logged out");
        return ResponseEntity.noContent().build();
    }
}
