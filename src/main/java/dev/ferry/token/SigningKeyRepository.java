package dev.ferry.token;

import java.util.List;
import org.springframework.data.jpa.repository.JpaRepository;

interface SigningKeyRepository extends JpaRepository<SigningKeyEntity, String> {

    List<SigningKeyEntity> findByState(String state);
}
