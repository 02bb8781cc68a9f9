package dev.ferry.admin;

import dev.ferry.token.KeyRotation;
import dev.ferry.token.SigningKeyInfo;
import java.util.List;
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

    KeyController(KeyRotation rotation) {
        this.rotation = rotation;
    }

    @GetMapping
    List<SigningKeyInfo> list() {
        return rotation.list();
    }

    @PostMapping("/rotate")
    List<SigningKeyInfo> rotate(@RequestParam(defaultValue = "false") boolean compromised) {
        return rotation.rotateNow(compromised);
    }
}
