package dev.ferry.policy;

import java.util.List;
import org.springframework.data.jpa.repository.JpaRepository;

interface RuleRepository extends JpaRepository<RuleEntity, String> {

    List<RuleEntity> findByIssuer(String issuer);
}
