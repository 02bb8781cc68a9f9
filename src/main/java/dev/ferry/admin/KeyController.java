package dev.ferry.admin;

import dev.ferry.audit.AdminEvent;
import dev.ferry.audit.AuditIds;
import dev.ferry.audit.AuditLog;
import dev.ferry.token.KeyRotation;
import dev.ferry.token.SigningKeyInfo;
import java.time.Clock;
import java.util.List;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /admin/v1/keys}: Ferry's signing keys (never their private parts), and rotation on demand.
 * {@code POST /rotate} makes the next key sign now; {@code ?compromised=true} also deletes every
 * earlier key, so tokens they signed stop validating.
 */
@RestController
@RequestMapping("/admin/v1/keys")
class KeyController {

    private final KeyRotation rotation;
    private final AuditLog audit;
    private final Clock clock;

    KeyController(KeyRotation rotation, AuditLog audit, Clock clock) {
        this.rotation = rotation;
        this.audit = audit;
        this.clock = clock;
    }

    @GetMapping
    List<SigningKeyInfo> list() {
        return rotation.list();
    }

    @PostMapping("/rotate")
    List<SigningKeyInfo> rotate(@RequestParam(defaultValue = "false") boolean compromised, Authentication caller) {
        List<SigningKeyInfo> before = rotation.list();
        List<SigningKeyInfo> after = rotation.rotateNow(compromised);
        audit.recordAdmin(new AdminEvent(
                AuditIds.next(),
                clock.instant(),
                Principals.name(caller),
                compromised ? "rotate-compromised" : "rotate",
                "keys",
                null,
                before,
                after));
        return after;
    }
}
